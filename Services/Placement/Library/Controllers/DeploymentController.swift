import CumulusAPI
import CumulusKit
import Foundation
import Hummingbird

/// Deployments of chosen front points: create (embedded ones start at once, terraform ones are
/// rendered), list, show (what the coordinator reads to bind a job), start and stop.
struct DeploymentController: Sendable {
    let placements: PlacementStore
    let store: DeploymentStore
    let manager: DeploymentManager

    static let points = ["recommended", "knee", "costFirst", "latencyFirst"]

    func addRoutes(to router: Router<CumulusRequestContext>) {
        router.post("/api/v1/deployments") { request, context in try await create(request, context) }
        router.get("/api/v1/deployments") { request, context in try await list(request, context) }
        router.get("/api/v1/deployments/{id}") { _, context in try Response.json(try await visible(context).view) }
        router.post("/api/v1/deployments/{id}/start") { _, context in try await change(context, start: true) }
        router.post("/api/v1/deployments/{id}/stop") { _, context in try await change(context, start: false) }
    }

    func create(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let body = try await request.decodeBody(NewDeployment.self, context: context)
        let what = "placement \(body.placementId.uuidString.lowercased())"
        guard let placement = try await placements.placement(body.placementId) else { throw Problem.notFound(what) }
        let identity = try await Tenancy.requireChange("deployments:manage", readable: "placements:read", federation: placement.federationId,
                                                       what: what, context)
        let index = try Self.frontIndex(body, placement)
        let point = placement.front[index]
        let plan = DeploymentPlan(id: UUID(), federationId: placement.federationId, placementId: placement.id, frontIndex: index,
                                  aggregators: Self.aggregators(point))
        let row = try await manager.create(plan, kind: body.provisioner ?? .embedded, monthlyCostUSD: point.monthlyCostUSD,
                                           roundSeconds: point.roundSeconds, by: identity.subject)
        return try Response.json(row.view, status: .created)
    }

    func list(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let federation = try QueryValue.requiredUUID(query["federationId"], "federationId", why: "deployments are listed per federation")
        let status = try query["status"].map { text in
            guard let status = DeploymentStatus(rawValue: String(text)) else {
                let known = DeploymentStatus.allCases.map(\.rawValue).joined(separator: ", ")
                throw Problem.invalidField("status", "must be one of \(known)", limit: known)
            }
            return status
        }
        let limit = try Tenancy.limit(query["limit"])
        try await Tenancy.requireVisible("deployments:read", federation: federation, what: "federation \(federation.uuidString.lowercased())", context)
        return try Response.json(DeploymentList(deployments: try await store.list(federation: federation, status: status, limit: limit).map(\.view)))
    }

    func change(_ context: CumulusRequestContext, start: Bool) async throws -> Response {
        let row = try await visible(context)
        let identity = try await Tenancy.requireChange("deployments:manage", readable: "deployments:read", federation: row.federationId,
                                                       what: "deployment \(row.id.uuidString.lowercased())", context)
        if start { try await manager.start(row, by: identity.subject) } else { try await manager.stop(row, by: identity.subject) }
        return try Response.json(try await manager.required(row.id).view)
    }

    private func visible(_ context: CumulusRequestContext) async throws -> DeploymentRow {
        let id = try context.parameters.require("id", as: UUID.self)
        let what = "deployment \(id.uuidString.lowercased())"
        guard let row = try await store.deployment(id) else { throw Problem.notFound(what) }
        try await Tenancy.requireVisible("deployments:read", federation: row.federationId, what: what, context)
        return row
    }

    /// The front position asked for: `frontIndex`, or a named point (default `recommended`).
    static func frontIndex(_ body: NewDeployment, _ placement: PlacementView) throws -> Int {
        guard !placement.front.isEmpty else {
            throw Problem(.unprocessableContent, detail: "placement \(placement.id.uuidString.lowercased()) has no feasible point to deploy; relax its constraints",
                          errors: [.init(field: "placementId", reason: "the placement's front is empty", limit: nil)])
        }
        if body.frontIndex != nil, body.point != nil { throw Problem.invalidField("point", "give frontIndex or point, not both") }
        if let index = body.frontIndex {
            guard placement.front.indices.contains(index) else {
                throw Problem.invalidField("frontIndex", "must be 0 to \(placement.front.count - 1) (the front has \(placement.front.count) points)",
                                           limit: "\(placement.front.count - 1)")
            }
            return index
        }
        let name = body.point ?? "recommended"
        let chosen: PlacementPointView?
        switch name {
        case "recommended": chosen = placement.recommended
        case "knee": chosen = placement.knee
        case "costFirst": chosen = placement.costFirst
        case "latencyFirst": chosen = placement.latencyFirst
        default: throw Problem.invalidField("point", "must be one of \(points.joined(separator: ", "))", limit: points.joined(separator: ", "))
        }
        guard let index = chosen?.frontIndex else { throw Problem.invalidField("point", "the placement has no \(name) point on its front") }
        return index
    }

    static func aggregators(_ point: PlacementPointView) -> [PlannedAggregator] {
        guard let regional = point.regional else { return [PlannedAggregator(id: UUID(), role: "single", slot: nil, site: point.site)] }
        return [PlannedAggregator(id: UUID(), role: "global", slot: nil, site: point.site)]
            + regional.enumerated().map { PlannedAggregator(id: UUID(), role: "regional", slot: $0.offset, site: $0.element) }
    }
}
