import CumulusAPI
import CumulusKit
import Foundation
import Hummingbird
import PostgresNIO

/// Federations: an owner organisation plus member organisations. Membership is by invitation,
/// accepted by an administrator of the invited organisation. Deleting one needs a second person.
struct FederationController: Sendable {
    let governance: GovernanceContext
    let approvals: ApprovalController

    func addRoutes(to router: Router<CumulusRequestContext>) {
        let federations = router.group("/api/v1/federations")
        federations.post { request, context in try await create(request, context) }
        federations.get { _, context in try await list(context) }
        federations.get("/{id}") { _, context in try await show(context) }
        federations.delete("/{id}") { _, context in try await delete(context) }
        federations.post("/{id}/invitations") { request, context in try await invite(request, context) }
        federations.post("/{id}/invitations/{organisation}/accept") { _, context in try await accept(context) }
    }

    func create(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let body = try await request.decode(as: NewFederation.self, context: context)
        let actor = try await governance.authorise(context, "federations:create", in: .organisation(body.ownerOrganisationId),
                                                   resource: "organisation \(body.ownerOrganisationId.uuidString.lowercased())")
        let name = try Validation.text(body.name, field: "name", length: 2...120)
        let id = UUID()
        let logger = governance.logger
        do {
            try await governance.postgres.withTransaction(logger: logger) { connection in
                try await connection.query("INSERT INTO federations (id, name, owner_organisation_id) VALUES (\(id), \(name), \(body.ownerOrganisationId))", logger: logger)
                try await connection.query(
                    "INSERT INTO federation_members (federation_id, organisation_id, status, invited_by, accepted_by, accepted_at) VALUES (\(id), \(body.ownerOrganisationId), 'active', \(actor), \(actor), now())",
                    logger: logger)
                try await governance.audit.append(.init(actor: actor.uuidString.lowercased(), action: "federations:create", target: "federation:\(id.uuidString.lowercased())",
                                                        organisationID: body.ownerOrganisationId, federationID: id, details: ["name": name]), on: connection)
            }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw Problem.conflict("the organisation already has a federation named '\(name)'")
        }
        await governance.rolesChanged("federation created")
        return try Response.json(try await load(id)!, status: .created)
    }

    /// The federations the caller's organisation owns or belongs to (all of them for platform readers).
    func list(_ context: CumulusRequestContext) async throws -> Response {
        let user = try await governance.caller(context)
        let everything = try await governance.grants(for: try context.requireIdentity()).keys.contains(Grant(permission: "federations:read", scope: .platform))
        let organisation = try await governance.organisation(ofUser: user)
        var ids: [UUID] = []
        for try await id in try await governance.postgres.query(
            """
            SELECT f.id FROM federations f WHERE f.deleted_at IS NULL AND (\(everything) OR EXISTS (
                SELECT 1 FROM federation_members m WHERE m.federation_id = f.id AND m.organisation_id = \(organisation)))
            ORDER BY f.created_at
            """, logger: governance.logger
        ).decode(UUID.self) {
            ids.append(id)
        }
        var result: [Federation] = []
        for id in ids { if let federation = try await load(id) { result.append(federation) } }
        return try Response.json(result)
    }

    func show(_ context: CumulusRequestContext) async throws -> Response {
        let id = try context.parameters.require("id", as: UUID.self)
        try await governance.authorise(context, "federations:read", in: .federation(id), resource: "federation \(id.uuidString.lowercased())")
        guard let federation = try await load(id) else { throw Problem.notFound("federation \(id.uuidString.lowercased())") }
        return try Response.json(federation)
    }

    func delete(_ context: CumulusRequestContext) async throws -> Response {
        let id = try context.parameters.require("id", as: UUID.self)
        let actor = try await governance.authorise(context, "federations:delete", in: .federation(id), resource: "federation \(id.uuidString.lowercased())")
        guard let federation = try await load(id) else { throw Problem.notFound("federation \(id.uuidString.lowercased())") }
        let approval = try await approvals.open(
            NewApproval(action: ApprovalController.Action.deleteFederation, permission: "federations:delete", scope: .federation(id),
                        summary: "delete federation '\(federation.name)'", payload: ["federationId": id.uuidString.lowercased()]),
            requestedBy: actor)
        return try Response.json(ApprovalPending(approval: approval), status: .accepted)
    }

    func invite(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let id = try context.parameters.require("id", as: UUID.self)
        let actor = try await governance.authorise(context, "federations:invite", in: .federation(id), resource: "federation \(id.uuidString.lowercased())")
        let body = try await request.decode(as: Invitation.self, context: context)
        let logger = governance.logger
        var exists = false
        for try await _ in try await governance.postgres.query("SELECT 1 FROM organisations WHERE id = \(body.organisationId)", logger: logger) { exists = true }
        guard exists else { throw Problem.invalidField("organisationId", "no such organisation") }
        try await governance.postgres.withTransaction(logger: logger) { connection in
            try await connection.query(
                "INSERT INTO federation_members (federation_id, organisation_id, status, invited_by) VALUES (\(id), \(body.organisationId), 'invited', \(actor)) ON CONFLICT DO NOTHING",
                logger: logger)
            try await governance.audit.append(.init(actor: actor.uuidString.lowercased(), action: "federations:invite", target: "organisation:\(body.organisationId.uuidString.lowercased())",
                                                    federationID: id), on: connection)
        }
        return try Response.json(try await load(id)!, status: .created)
    }

    /// The invited organisation's administrator accepts; until then the invitation grants nothing.
    func accept(_ context: CumulusRequestContext) async throws -> Response {
        let id = try context.parameters.require("id", as: UUID.self)
        let organisation = try context.parameters.require("organisation", as: UUID.self)
        let actor = try await governance.authorise(context, "federations:join", in: .organisation(organisation), resource: "invitation")
        let logger = governance.logger
        let accepted: Bool = try await governance.postgres.withTransaction(logger: logger) { connection in
            var changed = false
            for try await _ in try await connection.query(
                "UPDATE federation_members SET status = 'active', accepted_by = \(actor), accepted_at = now() WHERE federation_id = \(id) AND organisation_id = \(organisation) AND status = 'invited' RETURNING 1",
                logger: logger) { changed = true }
            if changed {
                try await governance.audit.append(.init(actor: actor.uuidString.lowercased(), action: "federations:join", target: "federation:\(id.uuidString.lowercased())",
                                                        organisationID: organisation, federationID: id), on: connection)
            }
            return changed
        }
        guard accepted else { throw Problem.notFound("invitation of organisation \(organisation.uuidString.lowercased()) to federation \(id.uuidString.lowercased())") }
        await governance.rolesChanged("federation membership")
        return try Response.json(try await load(id)!)
    }

    func load(_ id: UUID) async throws -> Federation? {
        var federation: Federation?
        for try await (name, owner, created) in try await governance.postgres.query(
            "SELECT name, owner_organisation_id, created_at FROM federations WHERE id = \(id) AND deleted_at IS NULL", logger: governance.logger
        ).decode((String, UUID, Date).self) {
            federation = Federation(id: id, name: name, ownerOrganisationId: owner, members: [], createdAt: created)
        }
        guard var found = federation else { return nil }
        for try await (organisation, status) in try await governance.postgres.query(
            "SELECT organisation_id, status FROM federation_members WHERE federation_id = \(id) ORDER BY invited_at", logger: governance.logger
        ).decode((UUID, String).self) {
            found.members.append(.init(organisationId: organisation, status: status))
        }
        return found
    }
}
