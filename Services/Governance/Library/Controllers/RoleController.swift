import CumulusAPI
import CumulusKit
import Foundation
import Hummingbird
import PostgresNIO

/// Roles (built-in and per-organisation), their inheritance, role bindings with separation of
/// duty, and the permission review.
struct RoleController: Sendable {
    let governance: GovernanceContext
    let approvals: ApprovalController

    func addRoutes(to router: Router<CumulusRequestContext>) {
        let roles = router.group("/api/v1/roles")
        roles.get("/permissions") { _, _ in try Response.json(PermissionCatalog.all) }
        roles.get { request, context in try await list(request, context) }
        roles.post { request, context in try await create(request, context) }
        roles.get("/{id}") { _, context in try await show(context) }
        roles.post("/{id}/inherits") { request, context in try await inherit(request, context) }
        roles.post("/{id}/bindings") { request, context in try await grant(request, context) }
        roles.delete("/{id}/bindings/{binding}") { _, context in try await revoke(context) }
        roles.get("/{id}/review") { request, context in try await reviewRole(request, context) }
        router.get("/api/v1/users/{id}/permission-review") { request, context in try await reviewUser(request, context) }
    }

    func list(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let user = try await governance.caller(context)
        let requested = try request.uri.queryParameters["organisationId"].map { text -> UUID in
            guard let id = UUID(uuidString: String(text)) else { throw Problem.invalidField("organisationId", "is not a UUID") }
            return id
        }
        let organisation = if let requested { requested } else { try await governance.organisation(ofUser: user) }
        if let organisation {
            try await governance.authorise(context, "roles:read", in: .organisation(organisation), resource: "organisation \(organisation.uuidString.lowercased())")
        }
        return try Response.json(try await governance.access.roles(visibleTo: organisation))
    }

    func show(_ context: CumulusRequestContext) async throws -> Response {
        let id = try context.parameters.require("id", as: UUID.self)
        let role = try await visibleRole(id, context: context, permission: "roles:read")
        return try Response.json(role)
    }

    func create(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let body = try await request.decode(as: NewRole.self, context: context)
        let actor = try await governance.authorise(context, "roles:manage", in: .organisation(body.organisationId), resource: "organisation \(body.organisationId.uuidString.lowercased())")
        let name = try Validation.text(body.name, field: "name", length: 2...60)
        guard BuiltInRole(rawValue: name) == nil else { throw Problem.conflict("'\(name)' is a built-in role name") }
        let description = try Validation.text(body.description ?? "", field: "description", length: 0...500)
        guard body.permissions.count <= PermissionCatalog.all.count else { throw Problem.invalidField("permissions", "too many", limit: "\(PermissionCatalog.all.count)") }
        for (index, permission) in body.permissions.enumerated() where !PermissionCatalog.isKnown(permission) {
            throw Problem.invalidField("permissions[\(index)]", "'\(permission)' is not a permission; GET /api/v1/roles/permissions lists them")
        }
        let parents = body.inherits ?? []
        let id = UUID()
        let logger = governance.logger
        do {
            try await governance.postgres.withTransaction(logger: logger) { connection in
                try await connection.query(
                    "INSERT INTO roles (id, organisation_id, name, description) VALUES (\(id), \(body.organisationId), \(name), \(description))", logger: logger)
                for permission in Set(body.permissions) {
                    try await connection.query("INSERT INTO role_permissions VALUES (\(id), \(permission))", logger: logger)
                }
                for (index, parent) in parents.enumerated() {
                    try await requireUsableParent(parent, organisation: body.organisationId, field: "inherits[\(index)]", on: connection)
                    try await connection.query("INSERT INTO role_inherits VALUES (\(id), \(parent)) ON CONFLICT DO NOTHING", logger: logger)
                }
                try await governance.audit.append(.init(actor: actor.uuidString.lowercased(), action: "roles:manage", target: "role:\(id.uuidString.lowercased())",
                                                        organisationID: body.organisationId, details: ["name": name, "operation": "create"]), on: connection)
            }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw Problem.conflict("the organisation already has a role named '\(name)'")
        }
        return try Response.json(try await governance.access.role(id)!, status: .created)
    }

    /// Adds an inheritance edge; one that would close a cycle is refused with the cycle named.
    func inherit(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let id = try context.parameters.require("id", as: UUID.self)
        let role = try await visibleRole(id, context: context, permission: "roles:read")
        guard let organisation = role.organisationId, !role.builtIn else { throw Problem.conflict("built-in roles cannot be changed") }
        let actor = try await governance.authorise(context, "roles:manage", in: .organisation(organisation), resource: "role \(id.uuidString.lowercased())")
        let body = try await request.decode(as: InheritRequest.self, context: context)
        let logger = governance.logger
        try await governance.postgres.withTransaction(logger: logger) { connection in
            // Serialise graph edits so two concurrent edges cannot together close a cycle.
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext('cumulus.role-graph'))", logger: logger)
            try await requireUsableParent(body.parentRoleId, organisation: organisation, field: "parentRoleId", on: connection)
            let graph = try await governance.access.roleGraph(on: connection)
            if let cycle = graph.cycle(ifRole: id, inherits: body.parentRoleId) {
                throw Problem(.conflict, detail: "inheriting would create a cycle: \(cycle.joined(separator: " → "))", type: "urn:cumulus:problem:role-cycle")
            }
            try await connection.query("INSERT INTO role_inherits VALUES (\(id), \(body.parentRoleId)) ON CONFLICT DO NOTHING", logger: logger)
            try await governance.audit.append(.init(actor: actor.uuidString.lowercased(), action: "roles:manage", target: "role:\(id.uuidString.lowercased())",
                                                    organisationID: organisation, details: ["operation": "inherit", "parent": body.parentRoleId.uuidString.lowercased()]), on: connection)
        }
        await governance.rolesChanged("role inheritance")
        return try Response.json(try await governance.access.role(id)!)
    }

    /// Grants a role to a user in a scope. Admin roles need a second person's approval;
    /// mutually exclusive roles in one scope are refused.
    func grant(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let id = try context.parameters.require("id", as: UUID.self)
        let body = try await request.decode(as: NewBinding.self, context: context)
        guard (body.scope.kind == .platform) == (body.scope.id == nil) else { throw Problem.invalidField("scope.id", "is required for organisation and federation scopes") }
        let role = try await visibleRole(id, context: context, permission: "roles:read")
        let isAdmin = role.builtIn && (BuiltInRole(rawValue: role.name)?.isAdmin ?? false)
        let actor = try await governance.authorise(context, isAdmin ? "roles:grant-admin" : "roles:grant", in: body.scope, resource: body.scope.description)
        let logger = governance.logger
        var targetOrganisation: UUID??
        for try await organisation in try await governance.postgres.query("SELECT organisation_id FROM users WHERE id = \(body.userId)", logger: logger).decode(UUID?.self) {
            targetOrganisation = .some(organisation)
        }
        guard targetOrganisation != nil else { throw Problem.invalidField("userId", "no such user") }
        if let conflict = try await governance.postgres.withConnection({ connection in
            try await governance.access.separationOfDutyConflict(user: body.userId, role: id, scope: body.scope, on: connection)
        }) {
            throw Problem(.conflict, detail: "separation of duty: the user already holds \(conflict) in \(body.scope)", type: "urn:cumulus:problem:separation-of-duty")
        }
        if isAdmin {
            let approval = try await approvals.open(
                NewApproval(action: ApprovalController.Action.grantAdmin, permission: "roles:grant-admin", scope: body.scope,
                            summary: "grant \(role.name) to user \(body.userId.uuidString.lowercased()) in \(body.scope)",
                            payload: ["userId": body.userId.uuidString.lowercased(), "roleId": id.uuidString.lowercased()]),
                requestedBy: actor)
            return try Response.json(ApprovalPending(approval: approval), status: .accepted)
        }
        let binding = Binding(id: UUID(), userId: body.userId, roleId: id, scope: body.scope)
        do {
            try await governance.postgres.withTransaction(logger: logger) { connection in
                try await connection.query(
                    """
                    INSERT INTO role_bindings (id, user_id, role_id, scope_kind, scope_id, granted_by)
                    VALUES (\(binding.id), \(body.userId), \(id), \(body.scope.kind.rawValue), \(body.scope.id), \(actor))
                    """, logger: logger)
                try await governance.audit.append(.init(actor: actor.uuidString.lowercased(), action: "roles:grant", target: "user:\(body.userId.uuidString.lowercased())",
                                                        organisationID: body.scope.kind == .organisation ? body.scope.id : nil,
                                                        federationID: body.scope.kind == .federation ? body.scope.id : nil,
                                                        details: ["role": role.name, "scope": body.scope.description]), on: connection)
            }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw Problem.conflict("the user already holds \(role.name) in \(body.scope)")
        }
        await governance.rolesChanged("role granted")
        return try Response.json(binding, status: .created)
    }

    func revoke(_ context: CumulusRequestContext) async throws -> Response {
        let id = try context.parameters.require("id", as: UUID.self)
        let bindingID = try context.parameters.require("binding", as: UUID.self)
        var found: (user: UUID, scope: ScopeRef)?
        for try await (user, kind, scopeID) in try await governance.postgres.query(
            "SELECT user_id, scope_kind, scope_id FROM role_bindings WHERE id = \(bindingID) AND role_id = \(id)", logger: governance.logger
        ).decode((UUID, String, UUID?).self) {
            found = (user, ScopeRef(kind: ScopeRef.Kind(rawValue: kind) ?? .platform, id: scopeID))
        }
        guard let binding = found else { throw Problem.notFound("binding \(bindingID.uuidString.lowercased())") }
        let actor = try await governance.authorise(context, "roles:grant", in: binding.scope, resource: "binding \(bindingID.uuidString.lowercased())")
        try await governance.postgres.withTransaction(logger: governance.logger) { connection in
            try await connection.query("DELETE FROM role_bindings WHERE id = \(bindingID)", logger: governance.logger)
            try await governance.audit.append(.init(actor: actor.uuidString.lowercased(), action: "roles:grant", target: "user:\(binding.user.uuidString.lowercased())",
                                                    outcome: "revoked", details: ["binding": bindingID.uuidString.lowercased()]), on: connection)
        }
        await governance.rolesChanged("role revoked")
        return Response(status: .noContent)
    }

    /// Each effective permission of a user, where it comes from and whether the audit log shows
    /// it used in the last `days` days — so over-broad roles show.
    func reviewUser(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let user = try context.parameters.require("id", as: UUID.self)
        let days = try windowDays(request)
        guard let organisation = try await governance.organisation(ofUser: user) else {
            try await governance.authorise(context, "permissions:review", in: .platform, resource: "user \(user.uuidString.lowercased())")
            return try Response.json(try await review(user: user, days: days))
        }
        try await governance.authorise(context, "permissions:review", in: .organisation(organisation), resource: "user \(user.uuidString.lowercased())")
        return try Response.json(try await review(user: user, days: days))
    }

    func review(user: UUID, days: Int) async throws -> PermissionReview {
        let grants = try await governance.access.effectiveGrants(of: user)
        let used = try await lastUse(actors: [user.uuidString.lowercased()], days: days)
        let items = grants.map { grant, via in
            PermissionReview.Item(permission: grant.permission, scope: grant.scope, via: via, usedInWindow: used[grant.permission] != nil, lastUsedAt: used[grant.permission])
        }.sorted { ($0.permission, $0.scope.description) < ($1.permission, $1.scope.description) }
        return PermissionReview(subject: user.uuidString.lowercased(), windowDays: days, items: items)
    }

    /// A role's effective permissions and whether any of its holders used each one.
    func reviewRole(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let id = try context.parameters.require("id", as: UUID.self)
        let days = try windowDays(request)
        _ = try await visibleRole(id, context: context, permission: "permissions:review")
        let graph = try await governance.access.roleGraph()
        var holders: [String] = []
        for try await user in try await governance.postgres.query("SELECT DISTINCT user_id FROM role_bindings WHERE role_id = \(id)", logger: governance.logger).decode(UUID.self) {
            holders.append(user.uuidString.lowercased())
        }
        let used = try await lastUse(actors: holders, days: days)
        let items = graph.effectivePermissions(of: id).map { source in
            PermissionReview.Item(permission: source.permission, scope: .platform, via: [source.via], usedInWindow: used[source.permission] != nil, lastUsedAt: used[source.permission])
        }
        return try Response.json(PermissionReview(subject: "role:\(id.uuidString.lowercased())", windowDays: days, items: items))
    }

    private func lastUse(actors: [String], days: Int) async throws -> [String: Date] {
        var used: [String: Date] = [:]
        for try await (action, at) in try await governance.postgres.query(
            """
            SELECT action, max(at) FROM audit_log
            WHERE actor = ANY(\(actors)) AND at > now() - \(days) * interval '1 day' AND outcome <> 'failure'
            GROUP BY action
            """, logger: governance.logger
        ).decode((String, Date).self) {
            used[action] = at
        }
        return used
    }

    private func windowDays(_ request: Request) throws -> Int {
        guard let text = request.uri.queryParameters["days"] else { return 30 }
        guard let days = Int(String(text)), (1...365).contains(days) else { throw Problem.invalidField("days", "must be a whole number from 1 to 365", limit: "365") }
        return days
    }

    /// A role the caller can see: built-in roles, or a custom role of an organisation they have
    /// `permission` in (otherwise 404).
    private func visibleRole(_ id: UUID, context: CumulusRequestContext, permission: String) async throws -> Role {
        guard let role = try await governance.access.role(id) else { throw Problem.notFound("role \(id.uuidString.lowercased())") }
        if let organisation = role.organisationId {
            try await governance.authorise(context, permission, in: .organisation(organisation), resource: "role \(id.uuidString.lowercased())")
        } else {
            _ = try await governance.caller(context)
        }
        return role
    }

    private func requireUsableParent(_ parent: UUID, organisation: UUID, field: String, on connection: PostgresConnection) async throws {
        var usable = false
        for try await _ in try await connection.query(
            "SELECT 1 FROM roles WHERE id = \(parent) AND (organisation_id IS NULL OR organisation_id = \(organisation))", logger: governance.logger
        ) { usable = true }
        guard usable else { throw Problem.invalidField(field, "no such role in this organisation") }
    }
}
