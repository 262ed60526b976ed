import CumulusAPI
import CumulusKit
import Foundation
import Hummingbird

/// Reading the audit log and verifying its hash chain.
struct AuditController: Sendable {
    let governance: GovernanceContext

    func addRoutes(to router: Router<CumulusRequestContext>) {
        let audit = router.group("/api/v1/audit")
        audit.get { request, context in try await list(request, context) }
        audit.get("/verify") { _, context in try await verify(context) }
    }

    func list(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        try await governance.authorise(context, "audit:read", in: .platform, resource: "audit log")
        let after = try request.uri.queryParameters["after"].map { text -> Int64 in
            guard let value = Int64(String(text)), value >= 0 else { throw Problem.invalidField("after", "must be a sequence number ≥ 0") }
            return value
        } ?? 0
        let limit = try request.uri.queryParameters["limit"].map { text -> Int in
            guard let value = Int(String(text)), (1...1000).contains(value) else { throw Problem.invalidField("limit", "must be 1 to 1000", limit: "1000") }
            return value
        } ?? 100
        let entries = try await governance.audit.entries(after: after, limit: limit).map { entry in
            AuditEntry(sequence: entry.sequence, at: entry.at, actor: entry.actor, action: entry.action, target: entry.target, outcome: entry.outcome,
                       organisationId: entry.organisationID, federationId: entry.federationID, details: entry.details,
                       hash: entry.hash.map { String(format: "%02x", $0) }.joined())
        }
        return try Response.json(entries)
    }

    func verify(_ context: CumulusRequestContext) async throws -> Response {
        try await governance.authorise(context, "audit:read", in: .platform, resource: "audit log")
        return try Response.json(try await governance.audit.verify())
    }
}
