import CumulusAPI
import CumulusKit
import FederatedCore
import Foundation
import Hummingbird
import HTTPTypes
import Logging
import NIOCore

/// Jobs for the dashboard and CLI: create (queued in order per federation), list, detail with
/// every round, cancel, and a server-sent event stream of the job's progress.
struct JobController: Sendable {
    let store: JobStore
    let peers: Peers
    let logger: Logger

    func addRoutes(to router: Router<CumulusRequestContext>) {
        router.post("/api/v1/jobs") { request, context in try await create(request, context) }
        router.get("/api/v1/jobs") { request, context in try await list(request, context) }
        router.get("/api/v1/jobs/{id}") { _, context in try await detail(context) }
        router.post("/api/v1/jobs/{id}/cancel") { _, context in try await cancel(context) }
        router.post("/api/v1/jobs/{id}/approve") { _, context in try await approve(context) }
        router.get("/api/v1/jobs/{id}/events") { request, context in try await events(request, context) }
    }

    func create(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let spec = try await request.decode(as: NewJob.self, context: context)
        let identity = try await context.require("jobs:create", in: .federation(spec.federationId))
        try Self.validate(spec)
        var aggregator: JobAggregator?
        if let deployment = spec.deploymentId { aggregator = try await bind(to: deployment, federation: spec.federationId, identity: identity) }
        let id = try await store.create(spec, createdBy: identity.subject, aggregator: aggregator)
        logger.info("job queued", metadata: ["job": "\(id)", "federation": "\(spec.federationId)", "deployment": "\(spec.deploymentId?.uuidString ?? "none")"])
        return try Response.json(try await view(id), status: .created)
    }

    /// The deployment's global (or single) aggregator, as the person creating the job may see it:
    /// in the job's federation, running, and answering at its endpoint as itself.
    func bind(to id: UUID, federation: UUID, identity: Identity) async throws -> JobAggregator {
        let name = id.uuidString.lowercased()
        let deployment: DeploymentView
        do {
            deployment = try await peers.deployment(id, bearer: identity.token)
        } catch let error as InternalCallError where error.status == 404 || error.status == 403 {
            throw Problem.invalidField("deploymentId", "no deployment \(name) that you may read")
        } catch let error as InternalCallError {
            throw Problem(.badGateway, detail: "placement could not describe deployment \(name): \(error.description)")
        } catch {
            throw Problem(.serviceUnavailable, detail: "placement did not answer about deployment \(name): \(error)")
        }
        guard deployment.federationId == federation else {
            throw Problem.invalidField("deploymentId", "deployment \(name) serves federation \(deployment.federationId.uuidString.lowercased()), not the job's")
        }
        guard deployment.status == .running, let endpoint = deployment.endpoint,
              let aggregator = deployment.aggregators.first(where: { $0.endpoint == endpoint }) else {
            throw Problem.conflict("deployment \(name) is \(deployment.status.rawValue), not running: start it (POST /api/v1/deployments/\(name)/start) first")
        }
        let answer: AggregatorIdentity
        do {
            answer = try await peers.aggregatorIdentity(endpoint)
        } catch {
            throw Problem(.badGateway, detail: "the aggregator of deployment \(name) does not answer at \(endpoint): \(error)")
        }
        guard answer.deploymentId == id, answer.aggregatorId == aggregator.id else {
            throw Problem.conflict("\(endpoint) answers as aggregator \(answer.aggregatorId.uuidString.lowercased()) of deployment \(answer.deploymentId.uuidString.lowercased()), not as deployment \(name)'s")
        }
        return JobAggregator(deploymentId: id, aggregatorId: aggregator.id, provisioner: deployment.provisioner, site: aggregator.site, endpoint: endpoint,
                             estimatedRoundSeconds: deployment.roundSeconds, estimatedMonthlyCostUSD: deployment.monthlyCostUSD)
    }

    func list(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        guard let text = request.uri.queryParameters["federationId"], let federation = UUID(uuidString: String(text)) else {
            throw Problem.invalidField("federationId", "is required and must be a UUID")
        }
        guard try await context.policy.allows(try context.requireIdentity(), "jobs:read", in: .federation(federation)) else {
            throw Problem.notFound("federation \(federation.uuidString.lowercased())")
        }
        var views: [JobView] = []
        for job in try await store.jobs(federation: federation) { views.append(job.view(rounds: try await store.rounds(job.id))) }
        return try Response.json(JobList(jobs: views))
    }

    func detail(_ context: CumulusRequestContext) async throws -> Response {
        try Response.json(try await view(try await visibleJob(context).id))
    }

    func cancel(_ context: CumulusRequestContext) async throws -> Response {
        let job = try await visibleJob(context)
        try await context.require("jobs:cancel", in: .federation(job.federationId))
        guard !job.state.isTerminal else { throw Problem.conflict("the job is already \(job.state.rawValue)") }
        try await store.finish(job.id, state: .cancelled, error: "cancelled by \(context.identity?.subject ?? "?")")
        if let round = try await store.round(job.id, job.completedRounds + 1), round.state == "open" {
            for task in round.tasks.values { await peers.cancelTask(task) }
        }
        return try Response.json(try await view(job.id))
    }

    /// A second person who may decide approvals in the federation lets a queued job start when
    /// its turn comes (or at once, if it already has).
    func approve(_ context: CumulusRequestContext) async throws -> Response {
        let job = try await visibleJob(context)
        let identity = try await context.require("approvals:decide", in: .federation(job.federationId))
        guard job.spec.requireApproval == true else { throw Problem.conflict("this job does not need approval") }
        guard identity.subject != job.createdBy else {
            throw Problem(.forbidden, detail: "a job is approved by someone other than the person who created it")
        }
        guard try await store.approve(job.id, by: identity.subject) else {
            throw Problem.conflict(job.approvedBy == nil ? "the job is \(job.state.rawValue), not queued" : "the job is already approved")
        }
        return try Response.json(try await view(job.id))
    }

    /// `text/event-stream`: every job event as `id`, `event` and JSON `data`; reconnecting with
    /// `Last-Event-ID` resumes after it. Ends when the job has finished and everything was sent.
    func events(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let job = try await visibleJob(context)
        let start = Int64(request.headers[HTTPField.Name("Last-Event-ID")!] ?? "") ?? 0
        let store = self.store
        let headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache", HTTPField.Name("X-Accel-Buffering")!: "no"]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            var last = start
            var quiet = 0
            try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
            while !Task.isCancelled {
                let events = try await store.events(job.id, after: last)
                for event in events {
                    try await writer.write(ByteBuffer(string: "id: \(event.id)\nevent: \(event.kind)\ndata: \(event.data)\n\n"))
                    last = event.id
                }
                if events.isEmpty {
                    if let current = try await store.job(job.id), current.state.isTerminal { break }
                    quiet += 1
                    // A comment now and then keeps proxies from closing an idle stream.
                    if quiet % 15 == 0 { try await writer.write(ByteBuffer(string: ": still running\n\n")) }
                    try await Task.sleep(for: .milliseconds(500))
                }
            }
            try await writer.finish(nil)
        })
    }

    private func view(_ id: UUID) async throws -> JobView {
        guard let job = try await store.job(id) else { throw Problem.notFound("job \(id.uuidString.lowercased())") }
        return job.view(rounds: try await store.rounds(id))
    }

    private func visibleJob(_ context: CumulusRequestContext) async throws -> JobStore.JobRow {
        let id = try context.parameters.require("id", as: UUID.self)
        guard let job = try await store.job(id), try await context.policy.allows(try context.requireIdentity(), "jobs:read", in: .federation(job.federationId)) else {
            throw Problem.notFound("job \(id.uuidString.lowercased())")
        }
        return job
    }

    static func validate(_ spec: NewJob) throws {
        _ = try Validation.text(spec.name, field: "name", length: 1...120)
        guard ["logistic", "mlp"].contains(spec.model.architecture) else { throw Problem.invalidField("model.architecture", "must be logistic or mlp") }
        try range(spec.model.inputs, 1...100_000, "model.inputs")
        try range(spec.model.classes, 2...10_000, "model.classes")
        guard spec.model.hiddenLayers.count <= 8 else { throw Problem.invalidField("model.hiddenLayers", "at most 8 layers", limit: "8") }
        for (index, width) in spec.model.hiddenLayers.enumerated() { try range(width, 1...16_384, "model.hiddenLayers[\(index)]") }
        if spec.model.architecture == "logistic", !spec.model.hiddenLayers.isEmpty {
            throw Problem.invalidField("model.hiddenLayers", "logistic regression has no hidden layers")
        }
        if let hash = spec.model.initialModelHash, !(hash.count == 64 && hash.allSatisfy { $0.isHexDigit && !$0.isUppercase }) {
            throw Problem.invalidField("model.initialModelHash", "must be a lowercase hex SHA-256")
        }
        guard (1...128).contains(spec.dataset.count), spec.dataset.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
            throw Problem.invalidField("dataset", "must be 1 to 128 letters, digits, '.', '_' or '-'")
        }
        if let problem = StrategyChoice(name: spec.strategy.name, hyperparameters: spec.strategy.hyperparameters).problem {
            throw Problem.invalidField("strategy", problem)
        }
        try range(spec.rounds, 1...10_000, "rounds")
        guard spec.fractionFit > 0, spec.fractionFit <= 1 else { throw Problem.invalidField("fractionFit", "must be in (0, 1]", limit: "1") }
        try range(spec.minFitClients, 1...10_000, "minFitClients")
        try range(spec.minAvailableClients, 1...10_000, "minAvailableClients")
        guard spec.minAvailableClients >= spec.minFitClients else {
            throw Problem.invalidField("minAvailableClients", "must be at least minFitClients (\(spec.minFitClients))")
        }
        if let privacy = Conductor.privacy(spec) {
            if let problem = privacy.problem { throw Problem.invalidField("privacy.\(problem.field)", problem.reason) }
            guard spec.defence == nil else {
                throw Problem.invalidField("privacy", "cannot be combined with a defence: the noise is calibrated to FedAvg's clipped mean")
            }
            // Adaptive clipping's noise on the clipped count needs enough participants per round.
            do { _ = try privacy.initialState(sampledClients: spec.minFitClients) } catch {
                throw Problem.invalidField("privacy.noiseMultiplier", "\(error) with \(spec.minFitClients) participant(s) per round (minFitClients)")
            }
        }
        if let secure = spec.secureAggregation {
            guard spec.defence == nil else {
                throw Problem.invalidField("secureAggregation", "cannot be combined with a defence: robust rules need the individual updates, which secure aggregation hides")
            }
            guard spec.privacy == nil else {
                throw Problem.invalidField("secureAggregation", "cannot be combined with differential privacy here: its clipping and noise work on the individual updates")
            }
            let threshold = secure.effectiveThreshold
            guard threshold > 0.5, threshold <= 1 else {
                throw Problem.invalidField("secureAggregation.threshold", "must be a fraction in (0.5, 1] of the agents that join; got \(threshold)", limit: "(0.5, 1]")
            }
            let range = secure.effectiveClippingRange
            guard range.isFinite, range > 0, range <= 1_000 else {
                throw Problem.invalidField("secureAggregation.clippingRange", "must be in (0, 1000]; got \(range)", limit: "1000")
            }
            try Self.range(secure.effectiveMaxExamples, 1...1_000_000_000, "secureAggregation.maxExamples")
            try Self.range(secure.effectiveStageTimeoutSeconds, 2...3_600, "secureAggregation.stageTimeoutSeconds")
            if let neighbours = secure.neighbours { try Self.range(neighbours, 2...1_000, "secureAggregation.neighbours") }
            guard spec.minFitClients >= 2 else {
                throw Problem.invalidField("minFitClients", "must be at least 2 with secure aggregation: a sum of one update is that update", limit: "2")
            }
        }
        if let defence = spec.defence {
            let choice = DefenceChoice(name: defence.name, hyperparameters: defence.hyperparameters)
            if let problem = choice.problem { throw Problem.invalidField("defence", problem) }
            // A round closes with at least minFitClients updates; the rule must be able to use that many.
            guard spec.minFitClients >= choice.minimumUpdates else {
                throw Problem.invalidField("minFitClients", "must be at least \(choice.minimumUpdates) for defence \(defence.name) with these hyperparameters",
                                           limit: "\(choice.minimumUpdates)")
            }
        }
        try range(spec.roundDeadlineSeconds, 5...86_400, "roundDeadlineSeconds")
        try range(spec.local.epochs, 1...1000, "local.epochs")
        try range(spec.local.batchSize, 1...1_000_000, "local.batchSize")
        guard spec.local.learningRate > 0, spec.local.learningRate <= 10 else { throw Problem.invalidField("local.learningRate", "must be in (0, 10]", limit: "10") }
        guard (0..<1).contains(spec.local.momentum) else { throw Problem.invalidField("local.momentum", "must be in [0, 1)") }
        guard spec.local.weightDecay >= 0, spec.local.weightDecay <= 1 else { throw Problem.invalidField("local.weightDecay", "must be 0 to 1", limit: "1") }
        try range(spec.evaluateEvery, 0...10_000, "evaluateEvery")
        if let external = spec.externalTrainer { _ = try Validation.text(external, field: "externalTrainer", length: 1...1000) }
    }

    static func range(_ value: Int, _ allowed: ClosedRange<Int>, _ field: String) throws {
        guard allowed.contains(value) else {
            throw Problem.invalidField(field, "must be \(allowed.lowerBound) to \(allowed.upperBound); got \(value)", limit: "\(allowed.lowerBound) to \(allowed.upperBound)")
        }
    }
}
