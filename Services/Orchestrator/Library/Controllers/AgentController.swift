import AssignmentCore
import CumulusAPI
import CumulusKit
import Foundation
import Hummingbird

/// What `cumulus-agent` calls, with its node token: register, heartbeat, take tasks by
/// long-poll, report on them.
struct AgentController: Sendable {
    let nodes: NodeStore
    let engine: TaskEngine
    let wakeups: AssignmentWakeups
    let directory: NodeDirectory
    let heartbeats: HeartbeatWriter
    let settings: OrchestratorSettings

    func addRoutes(to router: Router<CumulusRequestContext>) {
        let agent = router.group("/api/v1/agent")
        agent.post("/register") { request, context in try await register(request, context) }
        agent.post("/heartbeat") { request, context in try await heartbeat(request, context) }
        agent.get("/tasks/next") { request, context in try await next(request, context) }
        agent.post("/tasks/{id}/status") { request, context in try await status(request, context) }
    }

    func register(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let caller = try context.requireNode(for: "this agent endpoint")
        let body = try await request.decode(as: NodeRegistration.self, context: context)
        try OrchestratorValidation.registration(body)
        try await caller.requireStanding(in: body.federationId, context)
        let view = try await nodes.register(id: caller.node, organisation: caller.organisation, federation: body.federationId, body)
        await directory.remember(caller.node, federation: body.federationId)
        return try Response.json(view, status: .ok)
    }

    func heartbeat(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let caller = try context.requireNode(for: "this agent endpoint")
        let federation = try await directory.federation(of: caller.node, nodes: nodes)
        try await caller.requireStanding(in: federation, context)
        let body = try await request.decode(as: Heartbeat.self, context: context)
        try OrchestratorValidation.heartbeat(body)
        guard let status = try await heartbeats.write(id: caller.node, body) else { throw NodeIdentity.unregistered }
        return try Response.json(HeartbeatAck(status: status.after, intervalSeconds: settings.heartbeatInterval.seconds))
    }

    /// Long-poll: answers with the next task as soon as one is assigned to this node, or 204
    /// after `waitSeconds` (default 20, at most 55 — under nginx's proxy timeout).
    func next(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let caller = try context.requireNode(for: "this agent endpoint")
        let federation = try await directory.federation(of: caller.node, nodes: nodes)
        try await caller.requireStanding(in: federation, context)
        let wait = try request.uri.queryParameters["waitSeconds"].map { text -> Int in
            guard let value = Int(text), (0...55).contains(value) else { throw Problem.invalidField("waitSeconds", "must be 0 to 55", limit: "55") }
            return value
        } ?? 20
        let clock = ContinuousClock()
        let end = clock.now + .seconds(wait)
        while true {
            let seen = await wakeups.generation(caller.node)
            if let task = try await engine.take(node: caller.node) { return try Response.json(task) }
            let left = end - clock.now
            guard left > .zero, !Task.isCancelled else { return Response(status: .noContent) }
            await wakeups.wait(caller.node, after: seen, limit: min(left, .seconds(1)))
        }
    }

    func status(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let caller = try context.requireNode(for: "this agent endpoint")
        let federation = try await directory.federation(of: caller.node, nodes: nodes)
        try await caller.requireStanding(in: federation, context)
        let id = try context.parameters.require("id", as: UUID.self)
        let body = try await request.decode(as: TaskStatusReport.self, context: context)
        try OrchestratorValidation.statusReport(body)
        return try Response.json(try await engine.report(id, from: caller.node, body))
    }
}

/// The node behind a node token, as the orchestrator checks it.
extension NodeIdentity {
    static let unregistered = Problem(.conflict, detail: "this node is not registered with the orchestrator; `cumulus-agent run` registers it at start")

    /// Governance grants an enrolled node `tasks:read` in its federation until it is revoked;
    /// without it the credential no longer stands: 401, so the agent knows to re-enrol.
    func requireStanding(in federation: UUID, _ context: CumulusRequestContext) async throws {
        guard try await context.policy.allows(identity, "tasks:read", in: .federation(federation)) else {
            throw Problem.unauthorized("this node's credential is revoked or not valid for federation \(federation.uuidString.lowercased()); enrol the node again")
        }
    }
}

/// Node → federation, which never changes after enrolment: cached so the heartbeat path does not
/// read it from PostgreSQL every time.
actor NodeDirectory {
    private var federations: [UUID: UUID] = [:]

    func remember(_ node: UUID, federation: UUID) { federations[node] = federation }

    func federation(of node: UUID, nodes: NodeStore) async throws -> UUID {
        if let known = federations[node] { return known }
        guard let row = try await nodes.node(node) else { throw NodeIdentity.unregistered }
        federations[node] = row.federationId
        return row.federationId
    }
}
