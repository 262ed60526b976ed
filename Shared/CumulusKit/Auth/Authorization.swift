import Foundation

/// A permission, named `resource:action` (e.g. `jobs:create`). The full list arrives with
/// governance; services name the ones they check.
public struct Permission: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public var description: String { rawValue }
}

/// Where a permission is exercised. A binding at a wider scope covers the narrower ones the
/// policy says it contains (platform ⊃ organisation ⊃ federation).
public enum AuthorizationScope: Hashable, Sendable, CustomStringConvertible {
    case platform
    case organisation(UUID)
    case federation(UUID)

    public var description: String {
        switch self {
        case .platform: "the platform"
        case .organisation(let id): "organisation \(id.uuidString.lowercased())"
        case .federation(let id): "federation \(id.uuidString.lowercased())"
        }
    }
}

/// Decides whether an identity holds a permission in a scope. Governance supplies the real
/// policy (roles, inheritance, bindings); until a service is given one it denies everything.
public protocol AuthorizationPolicy: Sendable {
    func allows(_ identity: Identity, _ permission: Permission, in scope: AuthorizationScope) async throws -> Bool
}

/// The safe default: nothing is allowed until a real policy is configured.
public struct DenyAllPolicy: AuthorizationPolicy {
    public init() {}
    public func allows(_ identity: Identity, _ permission: Permission, in scope: AuthorizationScope) async throws -> Bool { false }
}

/// A fixed table of grants, for tests and for service accounts with a known, narrow job.
public struct StaticGrantPolicy: AuthorizationPolicy {
    public struct Grant: Hashable, Sendable {
        public var subject: String
        public var permission: Permission
        public var scope: AuthorizationScope

        public init(subject: String, permission: Permission, scope: AuthorizationScope) {
            self.subject = subject
            self.permission = permission
            self.scope = scope
        }
    }

    let grants: Set<Grant>

    public init(_ grants: [Grant]) { self.grants = Set(grants) }

    public func allows(_ identity: Identity, _ permission: Permission, in scope: AuthorizationScope) async throws -> Bool {
        grants.contains(Grant(subject: identity.subject, permission: permission, scope: scope))
            || grants.contains(Grant(subject: identity.subject, permission: permission, scope: .platform))
    }
}
