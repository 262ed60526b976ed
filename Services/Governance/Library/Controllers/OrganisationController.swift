import CumulusAPI
import CumulusKit
import Foundation
import Hummingbird
import PostgresNIO

/// Organisations and their users. A new organisation comes with its first administrator.
struct OrganisationController: Sendable {
    let governance: GovernanceContext

    func addRoutes(to router: Router<CumulusRequestContext>) {
        let orgs = router.group("/api/v1/orgs")
        orgs.post { request, context in try await create(request, context) }
        orgs.get { _, context in try await list(context) }
        orgs.get("/{id}") { _, context in try await show(context) }
        orgs.post("/{id}/users") { request, context in try await createUser(request, context) }
        orgs.get("/{id}/users") { _, context in try await users(context) }
    }

    func create(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let actor = try await governance.authorise(context, "orgs:create", in: .platform, resource: "organisations")
        let body = try await request.decode(as: NewOrganisation.self, context: context)
        let name = try Validation.text(body.name, field: "name", length: 2...120)
        let email = try Validation.email(body.admin.email, field: "admin.email")
        let password = try Validation.password(body.admin.password, field: "admin.password")
        let displayName = try Validation.text(body.admin.displayName, field: "admin.displayName", length: 1...200)
        let hash = try await governance.hashPassword(password)
        let organisation = Organisation(id: UUID(), name: name, createdAt: Date(timeIntervalSince1970: Date.now.timeIntervalSince1970.rounded(.down)))
        let logger = governance.logger
        do {
            try await governance.postgres.withTransaction(logger: logger) { connection in
                try await connection.query("INSERT INTO organisations (id, name, created_at) VALUES (\(organisation.id), \(name), \(organisation.createdAt))", logger: logger)
                let admin = UUID()
                try await connection.query(
                    "INSERT INTO users (id, organisation_id, email, display_name, password_hash) VALUES (\(admin), \(organisation.id), \(email), \(displayName), \(hash))",
                    logger: logger)
                try await connection.query(
                    "INSERT INTO role_bindings (id, user_id, role_id, scope_kind, scope_id, granted_by) VALUES (\(UUID()), \(admin), \(AccessStore.builtInID(.orgAdmin)), 'organisation', \(organisation.id), \(actor))",
                    logger: logger)
                try await governance.audit.append(.init(actor: actor.uuidString.lowercased(), action: "orgs:create", target: "organisation:\(organisation.id.uuidString.lowercased())",
                                                        organisationID: organisation.id, details: ["name": name, "admin": email]), on: connection)
            }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw Problem.conflict("an organisation named '\(name)' or a user with email '\(email)' already exists")
        }
        await governance.rolesChanged("organisation created")
        return try Response.json(organisation, status: .created)
    }

    /// Platform readers see every organisation; everybody else sees their own.
    func list(_ context: CumulusRequestContext) async throws -> Response {
        let user = try await governance.caller(context)
        let grants = try await governance.grants(for: try context.requireIdentity()).keys
        let everything = grants.contains(Grant(permission: "orgs:read", scope: .platform))
        let own = try await governance.organisation(ofUser: user)
        var result: [Organisation] = []
        for try await (id, name, created) in try await governance.postgres.query(
            "SELECT id, name, created_at FROM organisations WHERE \(everything) OR id = \(own) ORDER BY name", logger: governance.logger
        ).decode((UUID, String, Date).self) {
            result.append(Organisation(id: id, name: name, createdAt: created))
        }
        return try Response.json(result)
    }

    func show(_ context: CumulusRequestContext) async throws -> Response {
        let id = try context.parameters.require("id", as: UUID.self)
        try await governance.authorise(context, "orgs:read", in: .organisation(id), resource: "organisation \(id.uuidString.lowercased())")
        for try await (name, created) in try await governance.postgres.query(
            "SELECT name, created_at FROM organisations WHERE id = \(id)", logger: governance.logger
        ).decode((String, Date).self) {
            return try Response.json(Organisation(id: id, name: name, createdAt: created))
        }
        throw Problem.notFound("organisation \(id.uuidString.lowercased())")
    }

    func createUser(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let organisation = try context.parameters.require("id", as: UUID.self)
        let actor = try await governance.authorise(context, "users:create", in: .organisation(organisation), resource: "organisation \(organisation.uuidString.lowercased())")
        let body = try await request.decode(as: NewUser.self, context: context)
        let email = try Validation.email(body.email)
        let password = try Validation.password(body.password)
        let name = try Validation.text(body.displayName, field: "displayName", length: 1...200)
        let hash = try await governance.hashPassword(password)
        let user = User(id: UUID(), organisationId: organisation, email: email, displayName: name, disabled: false)
        let logger = governance.logger
        do {
            try await governance.postgres.withTransaction(logger: logger) { connection in
                try await connection.query(
                    "INSERT INTO users (id, organisation_id, email, display_name, password_hash) VALUES (\(user.id), \(organisation), \(email), \(name), \(hash))",
                    logger: logger)
                try await governance.audit.append(.init(actor: actor.uuidString.lowercased(), action: "users:create", target: "user:\(user.id.uuidString.lowercased())",
                                                        organisationID: organisation, details: ["email": email]), on: connection)
            }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw Problem.conflict("a user with email '\(email)' already exists")
        }
        return try Response.json(user, status: .created)
    }

    func users(_ context: CumulusRequestContext) async throws -> Response {
        let organisation = try context.parameters.require("id", as: UUID.self)
        try await governance.authorise(context, "users:read", in: .organisation(organisation), resource: "organisation \(organisation.uuidString.lowercased())")
        var result: [User] = []
        for try await (id, email, name, disabled) in try await governance.postgres.query(
            "SELECT id, email, display_name, disabled FROM users WHERE organisation_id = \(organisation) ORDER BY email", logger: governance.logger
        ).decode((UUID, String, String, Bool).self) {
            result.append(User(id: id, organisationId: organisation, email: email, displayName: name, disabled: disabled))
        }
        return try Response.json(result)
    }
}
