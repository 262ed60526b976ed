import CumulusAPI
import CumulusKit
import Foundation
import Hummingbird
import PostgresNIO

/// The two-person rule. A critical action opens an approval; another user who holds
/// `approvals:decide` in the same scope approves or rejects it; nobody decides their own request;
/// a request not decided in time expires. Actions governance owns run when approved; other
/// services poll the approval and consume it once they have acted.
struct ApprovalController: Sendable {
    let governance: GovernanceContext

    enum Action {
        static let grantAdmin = "roles.grant-admin"
        static let deleteFederation = "federations.delete"
    }

    func addRoutes(to router: Router<CumulusRequestContext>) {
        let approvals = router.group("/api/v1/approvals")
        approvals.post { request, context in try await create(request, context) }
        approvals.get { request, context in try await list(request, context) }
        approvals.get("/{id}") { _, context in try await show(context) }
        approvals.post("/{id}/approve") { request, context in try await decide(request, context, approve: true) }
        approvals.post("/{id}/reject") { request, context in try await decide(request, context, approve: false) }
        approvals.post("/{id}/consume") { _, context in try await consume(context) }
    }

    /// For other services: open an approval for a critical action the caller may perform.
    func create(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let body = try await request.decode(as: NewApproval.self, context: context)
        guard PermissionCatalog.critical.contains(body.permission) else {
            throw Problem.invalidField("permission", "'\(body.permission)' is not a critical permission; only critical actions need approval")
        }
        guard (3...80).contains(body.action.count), body.action.allSatisfy({ $0.isLowercase || $0 == "." || $0 == "-" }) else {
            throw Problem.invalidField("action", "must be 3 to 80 lower-case letters, dots and dashes", limit: "80 characters")
        }
        let actor = try await governance.authorise(context, body.permission, in: body.scope, resource: body.scope.description)
        let approval = try await open(body, requestedBy: actor)
        return try Response.json(approval, status: .created)
    }

    func open(_ request: NewApproval, requestedBy actor: UUID) async throws -> Approval {
        let summary = try Validation.text(request.summary, field: "summary", length: 1...500)
        let payload = request.payload ?? [:]
        guard payload.count <= 50, payload.allSatisfy({ $0.key.count <= 100 && $0.value.count <= 2000 }) else {
            throw Problem.invalidField("payload", "at most 50 entries, keys up to 100 and values up to 2000 characters", limit: "50 entries")
        }
        let lifetime = governance.settings.approvalLifetime.timeInterval
        if let seconds = request.expiresInSeconds, !(1...Int(lifetime)).contains(seconds) {
            throw Problem.invalidField("expiresInSeconds", "must be from 1 to \(Int(lifetime))", limit: "\(Int(lifetime)) seconds")
        }
        let id = UUID()
        let expires = Date.now.addingTimeInterval(request.expiresInSeconds.map(Double.init) ?? lifetime)
        let payloadJSON = AuditLog.canonicalJSON(payload)
        let logger = governance.logger
        try await governance.postgres.withTransaction(logger: logger) { connection in
            try await connection.query(
                """
                INSERT INTO approvals (id, action, permission, scope_kind, scope_id, summary, payload, requested_by, status, expires_at)
                VALUES (\(id), \(request.action), \(request.permission), \(request.scope.kind.rawValue), \(request.scope.id), \(summary),
                        \(payloadJSON)::jsonb, \(actor), 'pending', \(expires))
                """, logger: logger)
            try await governance.audit.append(.init(
                actor: actor.uuidString.lowercased(), action: request.permission, target: "approval:\(id.uuidString.lowercased())", outcome: "requested",
                organisationID: request.scope.kind == .organisation ? request.scope.id : nil,
                federationID: request.scope.kind == .federation ? request.scope.id : nil, details: ["action": request.action, "summary": summary]), on: connection)
        }
        return try await load(id)!
    }

    func list(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let user = try await governance.caller(context)
        let status = request.uri.queryParameters["status"].map(String.init)
        if let status, !["pending", "approved", "rejected", "expired", "consumed"].contains(status) {
            throw Problem.invalidField("status", "must be pending, approved, rejected, expired or consumed")
        }
        try await expireOverdue()
        // The inbox: requests in scopes where the caller may decide or read approvals, plus their own.
        let grants = try await governance.grants(for: try context.requireIdentity()).keys.filter { $0.permission == "approvals:decide" || $0.permission == "approvals:read" }
        let platform = grants.contains { $0.scope == .platform }
        let scopeIDs = grants.compactMap(\.scope.id)
        var ids: [UUID] = []
        for try await id in try await governance.postgres.query(
            """
            SELECT id FROM approvals WHERE (\(status)::text IS NULL OR status = \(status))
              AND (\(platform) OR requested_by = \(user) OR scope_id = ANY(\(scopeIDs)))
            ORDER BY created_at DESC LIMIT 200
            """, logger: governance.logger
        ).decode(UUID.self) {
            ids.append(id)
        }
        var result: [Approval] = []
        for id in ids { if let approval = try await load(id) { result.append(approval) } }
        return try Response.json(result)
    }

    func show(_ context: CumulusRequestContext) async throws -> Response {
        let id = try context.parameters.require("id", as: UUID.self)
        try await expireOverdue()
        guard let approval = try await load(id) else { throw Problem.notFound("approval \(id.uuidString.lowercased())") }
        let user = try await governance.caller(context)
        if approval.requestedBy != user {
            try await governance.authorise(context, "approvals:read", in: approval.scope, resource: "approval \(id.uuidString.lowercased())")
        }
        return try Response.json(approval)
    }

    func decide(_ request: Request, _ context: CumulusRequestContext, approve: Bool) async throws -> Response {
        let id = try context.parameters.require("id", as: UUID.self)
        let decision = (try? await request.decode(as: Decision.self, context: context)) ?? Decision()
        if let reason = decision.reason { _ = try Validation.text(reason, field: "reason", length: 0...1000) }
        try await expireOverdue()
        guard let approval = try await load(id) else { throw Problem.notFound("approval \(id.uuidString.lowercased())") }
        let actor = try await governance.authorise(context, "approvals:decide", in: approval.scope, resource: "approval \(id.uuidString.lowercased())")
        guard actor != approval.requestedBy else {
            throw Problem(.forbidden, detail: "nobody approves their own request; another user holding approvals:decide in \(approval.scope) must decide it")
        }
        guard approval.status == "pending" else {
            throw Problem.conflict("approval \(id.uuidString.lowercased()) is \(approval.status), not pending")
        }
        let logger = governance.logger
        try await governance.postgres.withTransaction(logger: logger) { connection in
            var updated = false
            for try await _ in try await connection.query(
                """
                UPDATE approvals SET status = \(approve ? "approved" : "rejected"), decided_by = \(actor), decided_at = now(), reason = \(decision.reason)
                WHERE id = \(id) AND status = 'pending' AND expires_at > now() RETURNING 1
                """, logger: logger) { updated = true }
            guard updated else { throw Problem.conflict("approval \(id.uuidString.lowercased()) is no longer pending") }
            if approve { try await execute(approval, approver: actor, on: connection) }
            try await governance.audit.append(.init(
                actor: actor.uuidString.lowercased(), action: "approvals:decide", target: "approval:\(id.uuidString.lowercased())",
                outcome: approve ? "approved" : "rejected", details: ["action": approval.action, "requestedBy": approval.requestedBy.uuidString.lowercased()]), on: connection)
        }
        if approve, approval.action == Action.grantAdmin || approval.action == Action.deleteFederation {
            await governance.rolesChanged(approval.action)
        }
        return try Response.json(try await load(id)!)
    }

    /// A service that carried out an approved action marks it used, so it cannot be replayed.
    func consume(_ context: CumulusRequestContext) async throws -> Response {
        let id = try context.parameters.require("id", as: UUID.self)
        guard let approval = try await load(id) else { throw Problem.notFound("approval \(id.uuidString.lowercased())") }
        let actor = try await governance.authorise(context, approval.permission, in: approval.scope, resource: "approval \(id.uuidString.lowercased())")
        var consumed = false
        for try await _ in try await governance.postgres.query(
            "UPDATE approvals SET status = 'consumed' WHERE id = \(id) AND status = 'approved' RETURNING 1", logger: governance.logger
        ) { consumed = true }
        guard consumed else { throw Problem.conflict("approval \(id.uuidString.lowercased()) is \(approval.status), not approved") }
        try await governance.audit.append(.init(actor: actor.uuidString.lowercased(), action: approval.permission, target: "approval:\(id.uuidString.lowercased())", outcome: "consumed", details: ["action": approval.action]))
        return try Response.json(try await load(id)!)
    }

    /// Governance's own critical actions, run in the approving transaction.
    private func execute(_ approval: Approval, approver: UUID, on connection: PostgresConnection) async throws {
        let logger = governance.logger
        switch approval.action {
        case Action.grantAdmin:
            guard let user = approval.payload["userId"].flatMap({ UUID(uuidString: $0) }), let role = approval.payload["roleId"].flatMap({ UUID(uuidString: $0) }) else { return }
            if let conflict = try await governance.access.separationOfDutyConflict(user: user, role: role, scope: approval.scope, on: connection) {
                throw Problem.conflict("separation of duty: the user already holds \(conflict)")
            }
            try await connection.query(
                """
                INSERT INTO role_bindings (id, user_id, role_id, scope_kind, scope_id, granted_by)
                VALUES (\(UUID()), \(user), \(role), \(approval.scope.kind.rawValue), \(approval.scope.id), \(approval.requestedBy)) ON CONFLICT DO NOTHING
                """, logger: logger)
            try await connection.query("UPDATE approvals SET status = 'consumed' WHERE id = \(approval.id)", logger: logger)
        case Action.deleteFederation:
            guard let federation = approval.payload["federationId"].flatMap({ UUID(uuidString: $0) }) else { return }
            try await connection.query("UPDATE federations SET deleted_at = now() WHERE id = \(federation)", logger: logger)
            try await connection.query("UPDATE approvals SET status = 'consumed' WHERE id = \(approval.id)", logger: logger)
        case CredentialController.Action.update, CredentialController.Action.delete:
            try await CredentialController.execute(approval, on: connection, governance: governance)
        default:
            break  // Another service's action: it consumes the approval when it acts.
        }
    }

    func expireOverdue() async throws {
        try await governance.postgres.query("UPDATE approvals SET status = 'expired' WHERE status = 'pending' AND expires_at <= now()", logger: governance.logger)
    }

    func load(_ id: UUID) async throws -> Approval? {
        for try await row in try await governance.postgres.query(
            """
            SELECT action, permission, scope_kind, scope_id, summary, payload::text, requested_by, status, decided_by, reason, created_at, expires_at
            FROM approvals WHERE id = \(id)
            """, logger: governance.logger
        ).decode((String, String, String, UUID?, String, String, UUID, String, UUID?, String?, Date, Date).self) {
            let payload = (try? JSONDecoder().decode([String: String].self, from: Data(row.5.utf8))) ?? [:]
            return Approval(id: id, action: row.0, permission: row.1, scope: ScopeRef(kind: ScopeRef.Kind(rawValue: row.2) ?? .platform, id: row.3),
                            summary: row.4, payload: payload, requestedBy: row.6, status: row.7, decidedBy: row.8, reason: row.9,
                            createdAt: row.10, expiresAt: row.11)
        }
        return nil
    }
}
