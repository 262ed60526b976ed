import CumulusAPI
import CumulusKit
import Foundation
import Hummingbird

/// Who may see and change what. The catalogue is the platform's (read with a permission held on
/// the platform or in one's own organisation; imported with one held on the platform); costs and
/// budgets belong to a federation, and a federation the caller cannot read answers 404, never
/// its data.
enum CostsAccess {
    static func requireGlobal(_ permission: Permission, _ context: CumulusRequestContext) async throws -> Identity {
        let identity = try context.requireIdentity()
        if try await context.policy.allows(identity, permission, in: .platform) { return identity }
        if let organisation = identity.organisation, try await context.policy.allows(identity, permission, in: .organisation(organisation)) {
            return identity
        }
        throw Problem.forbidden(permission: permission.rawValue, scope: "the platform or your organisation")
    }

    static func requirePlatform(_ permission: Permission, _ context: CumulusRequestContext) async throws -> Identity {
        try await context.require(permission, in: .platform)
    }

    /// Holds `permission` in the federation; a caller who cannot even read its costs gets 404.
    @discardableResult
    static func requireInFederation(_ permission: Permission, _ federation: UUID, _ context: CumulusRequestContext) async throws -> Identity {
        let identity = try context.requireIdentity()
        if try await context.policy.allows(identity, permission, in: .federation(federation)) { return identity }
        if permission != "costs:read", try await context.policy.allows(identity, "costs:read", in: .federation(federation)) {
            throw Problem.forbidden(permission: permission.rawValue, scope: AuthorizationScope.federation(federation).description)
        }
        throw Problem.notFound("federation \(federation.uuidString.lowercased())")
    }
}

/// Query and body checks: each failure is a 400 naming the field and the limit.
enum CostsValidation {
    static func name(_ text: Substring?, _ field: String) throws -> String? {
        guard let text else { return nil }
        let value = String(text)
        guard (1...100).contains(value.count), value.allSatisfy({ $0.isLetter || $0.isNumber || "-_.:".contains($0) }) else {
            throw Problem.invalidField(field, "must be 1 to 100 letters, digits, '-', '_', '.' or ':'", limit: "100 characters")
        }
        return value
    }
}
