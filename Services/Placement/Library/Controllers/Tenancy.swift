import CumulusKit
import Foundation

/// Placements and deployments belong to one federation. A caller who cannot read a
/// federation's resources gets 404 for them, never their data nor a hint they exist; a caller
/// who can read but not change them gets 403 naming the permission.
enum Tenancy {
    /// The identity, when it holds `permission` in the federation; 404 otherwise.
    @discardableResult
    static func requireVisible(_ permission: Permission, federation: UUID, what: String, _ context: CumulusRequestContext) async throws -> Identity {
        let identity = try context.requireIdentity()
        guard try await context.policy.allows(identity, permission, in: .federation(federation)) else { throw Problem.notFound(what) }
        return identity
    }

    /// `permission` to change, once the caller passed `readPermission` (else 404).
    @discardableResult
    static func requireChange(_ permission: Permission, readable readPermission: Permission, federation: UUID, what: String,
                              _ context: CumulusRequestContext) async throws -> Identity {
        let identity = try context.requireIdentity()
        if try await context.policy.allows(identity, permission, in: .federation(federation)) { return identity }
        guard try await context.policy.allows(identity, readPermission, in: .federation(federation)) else { throw Problem.notFound(what) }
        throw Problem.forbidden(permission: permission.rawValue, scope: AuthorizationScope.federation(federation).description)
    }

    static func limit(_ text: Substring?) throws -> Int { try QueryValue.integer(text, "limit", 1...1000) ?? 100 }
}
