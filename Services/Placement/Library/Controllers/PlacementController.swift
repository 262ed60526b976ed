import CumulusAPI
import CumulusKit
import Foundation
import Hummingbird
import Logging
import PlacementCore

/// `POST /api/v1/placements` answers where the aggregator(s) should run and stores the answer;
/// `GET` lists a federation's placements and shows one. Another tenant's placement is a 404.
struct PlacementController: Sendable {
    let store: PlacementStore
    let catalogue: any CatalogueSource
    let participants: ParticipantResolver
    let engine = PlacementEngine()
    let logger: Logger

    func addRoutes(to router: Router<CumulusRequestContext>) {
        router.post("/api/v1/placements") { request, context in try await create(request, context) }
        router.get("/api/v1/placements") { request, context in try await list(request, context) }
        router.get("/api/v1/placements/{id}") { _, context in try await detail(context) }
    }

    func create(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let body = try await request.decodeBody(NewPlacement.self, context: context)
        let federation = "federation \(body.federationId.uuidString.lowercased())"
        let identity = try await Tenancy.requireChange("placements:create", readable: "placements:read", federation: body.federationId,
                                                       what: federation, context)
        try PlacementValidation.check(body)
        let resolved = try await participants.resolve(body, identity: identity, requestID: context.logger[metadataKey: "request_id"]?.description)
        let loaded = try await catalogue.catalogue()
        try PlacementValidation.participantsKnown(resolved.participants, field: { resolved.fields[$0] }, in: loaded.catalogue)
        let question = try PlacementValidation.question(body, participants: resolved.participants)
        let started = ContinuousClock.now
        let answer = try engine.answer(question, catalogue: loaded.catalogue)
        let view = PlacementView(
            id: UUID(), federationId: body.federationId, createdBy: identity.subject, createdAt: Date(), mode: question.mode, request: question.request,
            participants: resolved.participants.map(PlacementEngine.region), participantsSource: resolved.source, roundsPerMonth: answer.roundsPerMonth,
            catalogue: loaded.summary, modelVersion: PlacementCore.modelVersion, front: answer.front, recommended: answer.recommended, knee: answer.knee,
            costFirst: answer.costFirst, latencyFirst: answer.latencyFirst, baselines: answer.baselines, savings: answer.savings,
            evaluatedOffers: answer.evaluatedOffers, feasibleOffers: answer.feasibleOffers, exclusions: answer.exclusions, evolution: answer.evolution)
        try await store.insert(view)
        logger.info("placement answered", metadata: [
            "placement": "\(view.id)", "federation": "\(view.federationId)", "mode": "\(view.mode.rawValue)", "participants": "\(view.participants.count)",
            "front": "\(view.front.count)", "catalogue": "\(loaded.summary.source)", "elapsed": "\(ContinuousClock.now - started)",
        ])
        return try Response.json(view, status: .created)
    }

    func list(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let federation = try QueryValue.requiredUUID(query["federationId"], "federationId", why: "placements are listed per federation")
        let limit = try Tenancy.limit(query["limit"])
        try await Tenancy.requireVisible("placements:read", federation: federation, what: "federation \(federation.uuidString.lowercased())", context)
        return try Response.json(PlacementList(placements: try await store.list(federation: federation, limit: limit)))
    }

    func detail(_ context: CumulusRequestContext) async throws -> Response {
        try Response.json(try await visiblePlacement(context))
    }

    private func visiblePlacement(_ context: CumulusRequestContext) async throws -> PlacementView {
        let id = try context.parameters.require("id", as: UUID.self)
        let what = "placement \(id.uuidString.lowercased())"
        guard let view = try await store.placement(id) else { throw Problem.notFound(what) }
        try await Tenancy.requireVisible("placements:read", federation: view.federationId, what: what, context)
        return view
    }
}
