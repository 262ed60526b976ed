import AssignmentCore
import CumulusAPI
import CumulusKit
import Foundation
import Hummingbird

/// The dashboard's and CLI's view: nodes with telemetry, drain and undrain, tasks with their
/// attempts and decisions. Another tenant's node or task answers 404, never its data.
struct OperatorController: Sendable {
    let nodes: NodeStore
    let engine: TaskEngine

    func addRoutes(to router: Router<CumulusRequestContext>) {
        router.get("/api/v1/nodes") { request, context in try await listNodes(request, context) }
        router.get("/api/v1/nodes/{id}") { _, context in try await nodeDetail(context) }
        router.post("/api/v1/nodes/{id}/drain") { _, context in try await drain(context, true) }
        router.post("/api/v1/nodes/{id}/undrain") { _, context in try await drain(context, false) }
        router.post("/api/v1/tasks") { request, context in try await createTask(request, context) }
        router.get("/api/v1/tasks") { request, context in try await listTasks(request, context) }
        router.get("/api/v1/tasks/{id}") { _, context in try await taskDetail(context) }
        router.post("/api/v1/tasks/{id}/cancel") { _, context in try await cancel(context) }
    }

    // MARK: nodes

    func listNodes(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        var filter = NodeStore.Filter(
            organisation: try QueryValue.uuid(query["organisationId"], "organisationId"),
            federation: try QueryValue.uuid(query["federationId"], "federationId"),
            status: try query["status"].map { text in
                guard let status = NodeStatus(rawValue: String(text)) else {
                    throw Problem.invalidField("status", "must be one of \(NodeStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return status
            },
            region: query["region"].map(String.init))
        filter.organisation = try await readableOrganisation(filter, permission: "nodes:read", context)
        let rows = try await nodes.list(filter)
        return try Response.json(NodeList(nodes: rows.map(\.view)))
    }

    func nodeDetail(_ context: CumulusRequestContext) async throws -> Response {
        let row = try await visibleNode(context)
        return try Response.json(NodeDetail(node: row.view, history: try await nodes.history(row.id), events: try await nodes.events(row.id)))
    }

    func drain(_ context: CumulusRequestContext, _ drained: Bool) async throws -> Response {
        let row = try await visibleNode(context)
        let identity = try await requireEither("nodes:manage", organisation: row.organisationId, federation: row.federationId, context)
        guard try await nodes.setDrained(row.id, drained, by: identity.subject) else {
            throw Problem.conflict(drained ? "node \(row.hostname) is already draining" : "node \(row.hostname) is \(row.status.rawValue), not draining or failed")
        }
        return try Response.json(try await nodes.node(row.id)!.view)
    }

    // MARK: tasks

    func createTask(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let body = try await request.decode(as: NewTask.self, context: context)
        let identity = try await context.require("jobs:create", in: .federation(body.federationId))
        try OrchestratorValidation.newTask(body)
        return try Response.json(try await engine.create(body, createdBy: identity.subject), status: .created)
    }

    func listTasks(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let limit = try QueryValue.integer(query["limit"], "limit", 1...1000) ?? 100
        let nodeFilter = NodeStore.Filter(organisation: try QueryValue.uuid(query["organisationId"], "organisationId"),
                                          federation: try QueryValue.uuid(query["federationId"], "federationId"))
        let filter = TaskEngine.Filter(
            federation: nodeFilter.federation,
            organisation: try await readableOrganisation(nodeFilter, permission: "tasks:read", context),
            state: try query["state"].map { text in
                guard let state = TaskState(rawValue: String(text)) else {
                    throw Problem.invalidField("state", "must be one of \(TaskState.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return state
            },
            reference: query["reference"].map(String.init),
            node: try QueryValue.uuid(query["nodeId"], "nodeId"))
        let rows = try await engine.list(filter, withHistory: query["history"] == "true", limit: limit)
        return try Response.json(TaskList(tasks: rows.map(\.view)))
    }

    func taskDetail(_ context: CumulusRequestContext) async throws -> Response {
        try Response.json(try await visibleTask(context, withHistory: true).view)
    }

    func cancel(_ context: CumulusRequestContext) async throws -> Response {
        let task = try await visibleTask(context, withHistory: false)
        let identity = try await context.require("jobs:cancel", in: .federation(task.federationId))
        guard try await engine.cancel(task.id, by: identity.subject) else { throw Problem.conflict("the task is already \(task.state.rawValue)") }
        return try Response.json(try await engine.task(task.id, withHistory: true)!.view)
    }

    // MARK: tenancy

    /// Which organisation's rows a listing may show. A caller who can read the whole federation
    /// (or the platform) sees what the filter asks; otherwise only their own organisation's rows.
    /// A filter naming what the caller cannot read answers 404, as a single read would.
    private func readableOrganisation(_ filter: NodeStore.Filter, permission: Permission, _ context: CumulusRequestContext) async throws -> UUID? {
        let identity = try context.requireIdentity()
        if let federation = filter.federation, try await context.policy.allows(identity, permission, in: .federation(federation)) {
            return filter.organisation
        }
        if let organisation = filter.organisation ?? identity.organisation,
           try await context.policy.allows(identity, permission, in: .organisation(organisation)) {
            return organisation
        }
        if filter.federation == nil, filter.organisation == nil, try await context.policy.allows(identity, permission, in: .platform) {
            return nil
        }
        if let federation = filter.federation { throw Problem.notFound("federation \(federation.uuidString.lowercased())") }
        if let organisation = filter.organisation { throw Problem.notFound("organisation \(organisation.uuidString.lowercased())") }
        throw Problem.forbidden(permission: permission.rawValue, scope: "your organisation")
    }

    private func visibleNode(_ context: CumulusRequestContext) async throws -> NodeRow {
        let id = try context.parameters.require("id", as: UUID.self)
        guard let row = try await nodes.node(id),
              (try? await requireEither("nodes:read", organisation: row.organisationId, federation: row.federationId, context)) != nil
        else { throw Problem.notFound("node \(id.uuidString.lowercased())") }
        return row
    }

    private func visibleTask(_ context: CumulusRequestContext, withHistory: Bool) async throws -> TaskRow {
        let id = try context.parameters.require("id", as: UUID.self)
        guard let row = try await engine.task(id, withHistory: withHistory),
              (try? await requireEither("tasks:read", organisation: row.organisationId, federation: row.federationId, context)) != nil
        else { throw Problem.notFound("task \(id.uuidString.lowercased())") }
        return row
    }

    /// Holds `permission` in the row's organisation or in its federation.
    @discardableResult
    private func requireEither(_ permission: Permission, organisation: UUID, federation: UUID, _ context: CumulusRequestContext) async throws -> Identity {
        let identity = try context.requireIdentity()
        if try await context.policy.allows(identity, permission, in: .organisation(organisation)) { return identity }
        return try await context.require(permission, in: .federation(federation))
    }
}
