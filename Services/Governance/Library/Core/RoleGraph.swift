import Foundation

/// Roles, what they grant and whom they inherit from — the pure part of RBAC (NIST level 2,
/// hierarchical). Cycles are refused with the cycle named; effective permissions carry where
/// each came from, for the permission review.
public struct RoleGraph: Sendable {
    public struct Role: Sendable, Equatable {
        public var id: UUID
        public var name: String
        public var permissions: Set<String>
        public var inherits: [UUID]

        public init(id: UUID, name: String, permissions: Set<String>, inherits: [UUID]) {
            self.id = id
            self.name = name
            self.permissions = permissions
            self.inherits = inherits
        }
    }

    /// One permission and the chain of roles it came through, e.g. ["org-admin", "viewer"].
    public struct Source: Sendable, Equatable, Hashable {
        public var permission: String
        public var via: [String]
    }

    public private(set) var roles: [UUID: Role]

    public init(roles: [Role]) {
        self.roles = Dictionary(roles.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The cycle that `role` inheriting from `parent` would close, as role names from `role`
    /// back to `role` — nil when the edge is safe.
    public func cycle(ifRole role: UUID, inherits parent: UUID) -> [String]? {
        if role == parent { return [name(role), name(role)] }
        // A cycle exists iff `role` is reachable from `parent` already.
        var stack: [(UUID, [UUID])] = [(parent, [parent])]
        var seen: Set<UUID> = []
        while let (current, path) = stack.popLast() {
            if current == role { return ([role] + path).map(name) }
            guard seen.insert(current).inserted else { continue }
            for next in roles[current]?.inherits ?? [] { stack.append((next, path + [next])) }
        }
        return nil
    }

    /// Every permission `role` grants, directly or by inheritance, each with one shortest path.
    public func effectivePermissions(of role: UUID) -> [Source] {
        var result: [String: [String]] = [:]
        var queue: [(UUID, [String])] = [(role, [name(role)])]
        var seen: Set<UUID> = []
        var index = 0
        while index < queue.count {
            let (current, path) = queue[index]
            index += 1
            guard seen.insert(current).inserted, let definition = roles[current] else { continue }
            for permission in definition.permissions where result[permission] == nil { result[permission] = path }
            for parent in definition.inherits { queue.append((parent, path + [name(parent)])) }
        }
        return result.map { Source(permission: $0.key, via: $0.value) }.sorted { $0.permission < $1.permission }
    }

    /// All roles `role` inherits from, itself included.
    public func closure(of role: UUID) -> Set<UUID> {
        var seen: Set<UUID> = []
        var stack = [role]
        while let current = stack.popLast() {
            guard seen.insert(current).inserted else { continue }
            stack.append(contentsOf: roles[current]?.inherits ?? [])
        }
        return seen
    }

    private func name(_ id: UUID) -> String { roles[id]?.name ?? id.uuidString.lowercased() }
}
