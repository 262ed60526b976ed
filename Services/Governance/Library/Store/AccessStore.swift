import CumulusAPI
import CumulusKit
import Crypto
import Foundation
import Logging
import PostgresNIO

/// Roles, bindings and the effective permissions they add up to, read from governance's schema.
struct AccessStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    /// Built-in roles get fixed ids derived from their names, so every installation agrees.
    static func builtInID(_ role: BuiltInRole) -> UUID {
        var bytes = Array(SHA256.hash(data: Data("cumulus.builtin-role.\(role.rawValue)".utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50  // version 5 style
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    /// Writes the built-in roles as this build defines them (idempotent, at every start).
    func syncBuiltInRoles() async throws {
        try await postgres.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext('cumulus.builtin-roles'))", logger: logger)
            // Every role first, so inheritance can refer to any of them.
            for role in BuiltInRole.allCases {
                try await connection.query(
                    """
                    INSERT INTO roles (id, organisation_id, name, description, built_in) VALUES (\(Self.builtInID(role)), NULL, \(role.rawValue), \("built-in role"), true)
                    ON CONFLICT (id) DO NOTHING
                    """, logger: logger)
            }
            for role in BuiltInRole.allCases {
                let id = Self.builtInID(role)
                try await connection.query("DELETE FROM role_permissions WHERE role_id = \(id)", logger: logger)
                try await connection.query("DELETE FROM role_inherits WHERE role_id = \(id)", logger: logger)
                for permission in role.permissions {
                    try await connection.query("INSERT INTO role_permissions VALUES (\(id), \(permission))", logger: logger)
                }
                for parent in role.inherits {
                    try await connection.query("INSERT INTO role_inherits VALUES (\(id), \(Self.builtInID(parent)))", logger: logger)
                }
            }
        }
    }

    func roleGraph(on connection: PostgresConnection? = nil) async throws -> RoleGraph {
        var roles: [UUID: RoleGraph.Role] = [:]
        for try await (id, name) in try await query("SELECT id, name FROM roles", on: connection).decode((UUID, String).self) {
            roles[id] = RoleGraph.Role(id: id, name: name, permissions: [], inherits: [])
        }
        for try await (id, permission) in try await query("SELECT role_id, permission FROM role_permissions", on: connection).decode((UUID, String).self) {
            roles[id]?.permissions.insert(permission)
        }
        for try await (id, parent) in try await query("SELECT role_id, parent_role_id FROM role_inherits", on: connection).decode((UUID, UUID).self) {
            roles[id]?.inherits.append(parent)
        }
        return RoleGraph(roles: Array(roles.values))
    }

    func role(_ id: UUID) async throws -> Role? {
        let graph = try await roleGraph()
        guard let definition = graph.roles[id] else { return nil }
        for try await (organisation, description, builtIn) in try await postgres.query(
            "SELECT organisation_id, description, built_in FROM roles WHERE id = \(id)", logger: logger
        ).decode((UUID?, String, Bool).self) {
            return Role(id: id, organisationId: organisation, name: definition.name, description: description, builtIn: builtIn,
                        permissions: definition.permissions.sorted(), inherits: definition.inherits)
        }
        return nil
    }

    func roles(visibleTo organisation: UUID?) async throws -> [Role] {
        let graph = try await roleGraph()
        var result: [Role] = []
        for try await (id, organisationID, description, builtIn) in try await postgres.query(
            "SELECT id, organisation_id, description, built_in FROM roles WHERE organisation_id IS NULL OR organisation_id = \(organisation) ORDER BY built_in DESC, name",
            logger: logger
        ).decode((UUID, UUID?, String, Bool).self) {
            guard let definition = graph.roles[id] else { continue }
            result.append(Role(id: id, organisationId: organisationID, name: definition.name, description: description,
                               builtIn: builtIn, permissions: definition.permissions.sorted(), inherits: definition.inherits))
        }
        return result
    }

    struct BindingRow: Sendable {
        var id: UUID
        var roleID: UUID
        var scope: ScopeRef
    }

    func bindings(of user: UUID, on connection: PostgresConnection? = nil) async throws -> [BindingRow] {
        var result: [BindingRow] = []
        for try await (id, role, kind, scopeID) in try await query(
            "SELECT id, role_id, scope_kind, scope_id FROM role_bindings WHERE user_id = \(user)", on: connection
        ).decode((UUID, UUID, String, UUID?).self) {
            result.append(BindingRow(id: id, roleID: role, scope: ScopeRef(kind: ScopeRef.Kind(rawValue: kind) ?? .platform, id: scopeID)))
        }
        return result
    }

    /// Each effective grant of `user`, with the role chains it comes through. Organisation
    /// bindings also cover the federations that organisation owns.
    func effectiveGrants(of user: UUID) async throws -> [Grant: [[String]]] {
        let graph = try await roleGraph()
        let bindings = try await bindings(of: user)
        var owned: [UUID: [UUID]] = [:]
        for try await (federation, owner) in try await postgres.query(
            "SELECT id, owner_organisation_id FROM federations WHERE deleted_at IS NULL", logger: logger
        ).decode((UUID, UUID).self) {
            owned[owner, default: []].append(federation)
        }
        var grants: [Grant: [[String]]] = [:]
        for binding in bindings {
            var scopes = [binding.scope]
            if binding.scope.kind == .organisation, let organisation = binding.scope.id {
                scopes += (owned[organisation] ?? []).map(ScopeRef.federation)
            }
            for source in graph.effectivePermissions(of: binding.roleID) {
                for scope in scopes { grants[Grant(permission: source.permission, scope: scope), default: []].append(source.via) }
            }
        }
        return grants
    }


    /// The mutually exclusive role that `user` already holds in `scope`, if granting `role` there
    /// would break separation of duty.
    func separationOfDutyConflict(user: UUID, role: UUID, scope: ScopeRef, on connection: PostgresConnection) async throws -> String? {
        let graph = try await roleGraph(on: connection)
        let held = try await bindings(of: user, on: connection).filter { $0.scope == scope }
        let newClosure = graph.closure(of: role)
        for binding in held {
            let heldClosure = graph.closure(of: binding.roleID)
            for (first, second) in BuiltInRole.mutuallyExclusive {
                let a = Self.builtInID(first), b = Self.builtInID(second)
                if (newClosure.contains(a) && heldClosure.contains(b)) || (newClosure.contains(b) && heldClosure.contains(a)) {
                    return "\(graph.roles[binding.roleID]?.name ?? "a role") (\(first.rawValue) and \(second.rawValue) are mutually exclusive)"
                }
            }
        }
        return nil
    }

    private func query(_ query: PostgresQuery, on connection: PostgresConnection?) async throws -> PostgresRowSequence {
        if let connection { return try await connection.query(query, logger: logger) }
        return try await postgres.query(query, logger: logger)
    }
}
