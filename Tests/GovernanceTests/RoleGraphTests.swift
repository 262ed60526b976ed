import CumulusAPI
import Foundation
import Testing

@testable import GovernanceService

@Suite struct RoleGraphTests {
    let viewer = RoleGraph.Role(id: UUID(), name: "viewer", permissions: ["jobs:read"], inherits: [])
    func graph(_ extra: [RoleGraph.Role]) -> RoleGraph { RoleGraph(roles: [viewer] + extra) }

    @Test func inheritanceUnitesPermissionsAndRecordsThePath() {
        let scientist = RoleGraph.Role(id: UUID(), name: "scientist", permissions: ["jobs:create"], inherits: [viewer.id])
        let lead = RoleGraph.Role(id: UUID(), name: "lead", permissions: ["models:promote"], inherits: [scientist.id])
        let effective = graph([scientist, lead]).effectivePermissions(of: lead.id)
        #expect(effective.map(\.permission) == ["jobs:create", "jobs:read", "models:promote"])
        #expect(effective.first { $0.permission == "jobs:read" }?.via == ["lead", "scientist", "viewer"])
    }

    @Test func cyclesAreNamed() {
        let a = RoleGraph.Role(id: UUID(), name: "a", permissions: [], inherits: [])
        let b = RoleGraph.Role(id: UUID(), name: "b", permissions: [], inherits: [a.id])
        let c = RoleGraph.Role(id: UUID(), name: "c", permissions: [], inherits: [b.id])
        let roles = graph([a, b, c])
        #expect(roles.cycle(ifRole: a.id, inherits: c.id) == ["a", "c", "b", "a"])
        #expect(roles.cycle(ifRole: a.id, inherits: a.id) == ["a", "a"])
        #expect(roles.cycle(ifRole: c.id, inherits: viewer.id) == nil)
    }

    @Test func diamondsAreNotCycles() {
        let left = RoleGraph.Role(id: UUID(), name: "left", permissions: ["x:a"], inherits: [viewer.id])
        let right = RoleGraph.Role(id: UUID(), name: "right", permissions: ["x:b"], inherits: [viewer.id])
        let top = RoleGraph.Role(id: UUID(), name: "top", permissions: [], inherits: [left.id, right.id])
        let roles = graph([left, right, top])
        #expect(roles.cycle(ifRole: top.id, inherits: viewer.id) == nil)
        #expect(Set(roles.effectivePermissions(of: top.id).map(\.permission)) == ["x:a", "x:b", "jobs:read"])
        #expect(roles.closure(of: top.id) == [top.id, left.id, right.id, viewer.id])
    }

    @Test func randomGraphsNeverAcceptAnEdgeThatClosesACycle() {
        var generator = SplitMix(seed: 42)
        for _ in 0..<200 {
            var roles = (0..<8).map { RoleGraph.Role(id: UUID(), name: "r\($0)", permissions: [], inherits: []) }
            for _ in 0..<20 {
                let child = Int(generator.next() % 8), parent = Int(generator.next() % 8)
                let current = RoleGraph(roles: roles)
                if current.cycle(ifRole: roles[child].id, inherits: roles[parent].id) == nil {
                    roles[child].inherits.append(roles[parent].id)
                }
            }
            // The accepted graph is acyclic: no role reaches itself through a parent.
            let final = RoleGraph(roles: roles)
            for role in roles {
                for parent in role.inherits { #expect(!final.closure(of: parent).contains(role.id)) }
            }
        }
    }

    @Test func builtInRolesFormNoCycleAndUseOnlyKnownPermissions() {
        let roles = BuiltInRole.allCases.map { role in
            RoleGraph.Role(id: AccessStore.builtInID(role), name: role.rawValue, permissions: Set(role.permissions), inherits: role.inherits.map(AccessStore.builtInID))
        }
        let graph = RoleGraph(roles: roles)
        for role in roles {
            #expect(role.permissions.isSubset(of: PermissionCatalog.names), "\(role.name)")
            for parent in role.inherits { #expect(!graph.closure(of: parent).contains(role.id)) }
        }
        #expect(Set(BuiltInRole.allCases.map(AccessStore.builtInID)).count == BuiltInRole.allCases.count)
    }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
