import Crypto
import CumulusAPI
import CumulusKit
import FederatedCore
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// The round loop. One coordinator replica leads at a time (a PostgreSQL session advisory lock,
/// released by the database when the leader's connection dies, so another replica takes over);
/// every step reads its state from PostgreSQL and writes the next state there, so a leader
/// killed at any point resumes where the last committed step left off.
///
/// A round: choose participants → one "train" task each through the orchestrator → accept
/// their updates (UpdateController, any replica) → close at quorum or deadline → fold the
/// accepted updates one at a time into the strategy's running mean (memory O(model)) → new
/// global model to the registry → optional federated evaluation → next round.
struct Conductor: Service {
    let store: JobStore
    let peers: Peers
    let models: ModelCache
    let settings: CoordinatorSettings
    let postgres: PostgresClient
    let metrics: TrainingMetrics
    let keys: NodeKeys
    let secureMemory: SecureRoundMemory
    let logger: Logger

    static let leaderLockKey: Int64 = 0x43_55_4D_55_4C_55_53 // "CUMULUS"

    /// A failure that ends the job (as opposed to a peer being briefly unreachable).
    struct JobFailure: Error, CustomStringConvertible { let description: String }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await postgres.withConnection { connection in
                        var leading = false
                        for try await granted in try await connection.query("SELECT pg_try_advisory_lock(\(Self.leaderLockKey))", logger: logger).decode(Bool.self) {
                            leading = granted
                        }
                        guard leading else { return }
                        logger.notice("leading the round loop")
                        defer { logger.notice("no longer leading the round loop") }
                        while !Task.isCancelled {
                            // The lock lives with this connection; if it broke, so did leadership.
                            try await connection.query("SELECT 1", logger: logger)
                            await tick()
                            try await Task.sleep(for: settings.tick)
                        }
                    }
                } catch is CancellationError {
                    break
                } catch {
                    logger.warning("round loop: \(error)")
                }
                try? await Task.sleep(for: .seconds(2))
            }
        }
    }

    func tick() async {
        let jobs: [JobStore.JobRow]
        do { jobs = try await store.jobs(federation: nil, states: [.queued, .running], limit: 1000).sorted { $0.createdAt < $1.createdAt } } catch {
            logger.warning("cannot read jobs: \(error)")
            return
        }
        var running = Dictionary(grouping: jobs.filter { $0.state == .running }, by: \.federationId).mapValues(\.count)
        for job in jobs {
            do {
                switch job.state {
                case .queued:
                    guard running[job.federationId, default: 0] < settings.maxRunningJobsPerFederation else { continue }
                    // Its turn has come; a job that needs approval and has none holds its place
                    // and the ones behind it wait, so jobs start in the order they were queued.
                    if job.spec.requireApproval == true, job.approvedBy == nil {
                        running[job.federationId, default: 0] = settings.maxRunningJobsPerFederation
                        continue
                    }
                    try await start(job)
                    running[job.federationId, default: 0] += 1
                case .running:
                    try await drive(job)
                default: break
                }
            } catch let failure as JobFailure {
                logger.error("job failed", metadata: ["job": "\(job.id)", "error": .string(failure.description)])
                try? await store.finish(job.id, state: .failed, error: failure.description)
            } catch {
                // A peer or the database was briefly unavailable: the next tick tries again.
                logger.warning("job step will be retried", metadata: ["job": "\(job.id)", "error": .string(String(reflecting: error))])
            }
        }
        do { metrics.openRounds(try await store.openRounds()) } catch {
            logger.warning("cannot read open rounds for the metrics", metadata: ["error": "\(error)"])
        }
    }

    // MARK: starting

    func start(_ job: JobStore.JobRow) async throws {
        let spec = job.spec
        let initial: TensorCollection
        if let hash = spec.model.initialModelHash {
            initial = try await models.model(hash)
            let expected = try Self.architecture(spec.model).initialModel(seed: 0)
            do { try ModelLayout(expected.converted(to: .float32)).validate(initial.converted(to: .float32)) } catch {
                throw JobFailure(description: "the initial model does not fit the architecture: \(error)")
            }
        } else {
            initial = try Self.architecture(spec.model).initialModel(seed: spec.seed)
        }
        let strategy: AnyStrategy
        do { strategy = try AnyStrategy(StrategyChoice(name: spec.strategy.name, hyperparameters: spec.strategy.hyperparameters), initialModel: initial) } catch {
            throw JobFailure(description: "\(error)")
        }
        let (bytes, hash) = try Self.serialise(strategy.globalModel)
        try await peers.uploadModel(bytes, sha256: hash, federation: job.federationId)
        models.remember(strategy.globalModel, hash: hash)
        try await peers.registerVersion(NewModelVersion(jobId: job.id, federationId: job.federationId, jobName: job.name, round: 0, sha256: hash,
                                                        strategy: spec.strategy.name, participants: 0, examples: 0, metrics: [:]))
        try await store.start(job.id, checkpoint: try strategy.checkpoint(), globalHash: hash)
        logger.info("job started", metadata: ["job": "\(job.id)", "strategy": .string(spec.strategy.name), "rounds": "\(spec.rounds)"])
    }

    // MARK: a step of a running job

    func drive(_ job: JobStore.JobRow) async throws {
        let spec = job.spec
        if job.completedRounds > 0, let last = try await store.round(job.id, job.completedRounds), last.state == "evaluating" {
            try await evaluateIfDone(job, last)
            return
        }
        if job.completedRounds >= spec.rounds {
            try await store.finish(job.id, state: .succeeded, error: nil)
            logger.info("job succeeded", metadata: ["job": "\(job.id)", "globalModel": .string(job.globalHash ?? "")])
            return
        }
        let number = job.completedRounds + 1
        guard let round = try await store.round(job.id, number) else {
            try await open(job, number)
            return
        }
        guard round.state == "open" else { return }
        if let secure = spec.secureAggregation {
            try await stepSecureRound(job, round, secure)
        } else {
            try await closeIfDue(job, round)
        }
    }

    func open(_ job: JobStore.JobRow, _ number: Int) async throws {
        let spec = job.spec
        if let bound = job.aggregator, try await !aggregatorIsUp(job, bound) { return }
        let available = try await participants(job)
        guard available.count >= spec.minAvailableClients else {
            logger.info("waiting for participants", metadata: ["job": "\(job.id)", "available": "\(available.count)", "needed": "\(spec.minAvailableClients)"])
            return
        }
        let count = min(available.count, max(spec.minFitClients, Int((spec.fractionFit * Double(available.count)).rounded(.up))))
        let privacy = Self.privacy(spec)
        if let privacy, let target = privacy.targetEpsilon {
            let state = try await store.privacyState(job.id) ?? privacy.initialState(sampledClients: count)
            let next = try privacy.epsilon(afterOneMoreRoundOf: state, samplingRate: Double(count) / Double(max(available.count, 1)))
            if next > target {
                let spent = state.epsilon.map { String(format: "%.3f", $0) } ?? "0"
                let reason = "privacy budget: round \(number) would bring ε to \(String(format: "%.3f", next)) (δ = \(privacy.delta)), above the target \(target); ε spent: \(spent)"
                try await store.stopEarly(job.id, reason: reason)
                logger.notice("job stopped at its privacy budget", metadata: ["job": "\(job.id)", "rounds": "\(number - 1)", "epsilon": .string(spent)])
                return
            }
        }
        var generator = SeededGenerator(seed: spec.seed &+ UInt64(number))
        var order = available.sorted { $0.uuidString < $1.uuidString }
        generator.shuffle(&order)
        guard let checkpoint = try await store.checkpoint(job.id) else { throw JobFailure(description: "the job has no checkpoint") }
        let strategy = try AnyStrategy(checkpoint: checkpoint)
        let clientConfiguration = strategy.clientConfiguration(round: number)
        var tasks: [UUID: UUID] = [:]
        for (index, organisation) in order.prefix(count).enumerated() {
            var parameters = Self.modelParameters(job, modelHash: job.globalHash ?? "", round: number)
            parameters["epochs"] = .number(Double(spec.local.epochs))
            parameters["batchSize"] = .number(Double(spec.local.batchSize))
            parameters["learningRate"] = .number(spec.local.learningRate)
            parameters["momentum"] = .number(spec.local.momentum)
            parameters["weightDecay"] = .number(spec.local.weightDecay)
            parameters["proximalMu"] = .number(clientConfiguration["proximal_mu"] ?? clientConfiguration["proximalMu"] ?? 0)
            parameters["seed"] = .number(Double((spec.seed &+ UInt64(number * 1000 + index)) % (1 << 52)))
            parameters["upload"] = .string("/api/v1/jobs/\(job.id.uuidString.lowercased())/rounds/\(number)/update")
            if let privacy, privacy.clipping == "client-fixed" { parameters["clippingNorm"] = .number(privacy.clippingNorm) }
            var deadline = spec.roundDeadlineSeconds
            if let secure = spec.secureAggregation {
                let job = job.id.uuidString.lowercased()
                parameters["secureAggregation"] = .object([
                    "path": .string("/api/v1/jobs/\(job)/rounds/\(number)/secure"), "maxExamples": .number(Double(secure.effectiveMaxExamples)),
                    "stageTimeoutSeconds": .number(Double(secure.effectiveStageTimeoutSeconds)),
                ])
                // After training come five protocol stages, each waiting at most the stage
                // timeout, and one more for the agent's polling and the leader's ticks.
                deadline += 6 * secure.effectiveStageTimeoutSeconds
            }
            let task = try await peers.createTask(NewTask(
                federationId: job.federationId, organisationId: organisation, kind: "train", parameters: parameters,
                requirement: TaskRequirement(minimumMemoryGB: 0.25, minimumFreeDiskGB: 0.1, dataset: spec.dataset, maximumCPUUtilisation: 1,
                                             maximumMemoryUtilisation: 0.95),
                maxAttempts: 3, leaseSeconds: 60, deadlineSeconds: deadline, reference: Self.reference(job.id, number)))
            tasks[organisation] = task.id
        }
        try await store.openRound(job.id, number, tasks: tasks, deadline: .now.addingTimeInterval(Double(spec.roundDeadlineSeconds)))
        metrics.roundOpened(job: job.id, participants: tasks.count)
        logger.info("round opened", metadata: ["job": "\(job.id)", "round": "\(number)", "participants": "\(tasks.count)"])
    }

    /// A bound job opens a round only while its deployment runs: one being started again is
    /// waited for; a stopped, failed or deleted one fails the job, saying so.
    func aggregatorIsUp(_ job: JobStore.JobRow, _ bound: JobAggregator) async throws -> Bool {
        let name = bound.deploymentId.uuidString.lowercased()
        let deployment: DeploymentView
        do {
            deployment = try await peers.deployment(bound.deploymentId)
        } catch let error as InternalCallError where error.status == 404 {
            throw JobFailure(description: "deployment \(name), which the job is bound to, no longer exists")
        }
        switch deployment.status {
        case .running:
            return true
        case .starting:
            logger.info("waiting for the job's deployment to start", metadata: ["job": "\(job.id)", "deployment": .string(name)])
            return false
        case .rendered, .stopping, .stopped, .failed:
            let why = deployment.lastError.map { " (\($0))" } ?? ""
            throw JobFailure(description: "deployment \(name), which the job is bound to, is \(deployment.status.rawValue)\(why): its aggregator is gone")
        }
    }

    func closeIfDue(_ job: JobStore.JobRow, _ round: JobStore.RoundRow) async throws {
        let spec = job.spec
        let accepted = try await store.acceptedUpdates(job.id, round.round)
        let acceptedOrganisations = Set(accepted.map(\.organisation))
        let tasks = Dictionary(uniqueKeysWithValues: try await peers.tasks(federation: job.federationId, reference: Self.reference(job.id, round.round)).map { ($0.id, $0) })
        let pastDeadline = Date.now.timeIntervalSince1970 > round.deadlineAt
        var stragglers: [String: String] = [:]
        var settled = true
        for (organisation, taskID) in round.tasks where !acceptedOrganisations.contains(UUID(uuidString: organisation) ?? UUID()) {
            let task = tasks[taskID]
            if let task, task.state.isTerminal {
                stragglers[organisation] = task.state == .succeeded ? "its node reported success but no update was accepted" : (task.error ?? task.state.rawValue)
            } else if pastDeadline {
                stragglers[organisation] = "missed the round deadline (\(spec.roundDeadlineSeconds) s)"
                await peers.cancelTask(taskID)
            } else {
                settled = false
            }
        }
        guard settled || pastDeadline else { return }
        guard accepted.count >= spec.minFitClients else {
            try await store.failRound(job.id, round.round, stragglers: stragglers)
            metrics.roundClosed(job: job.id, outcome: "failed", openedAt: round.openedAt, accepted: accepted.count, stragglers: stragglers.count)
            let why = stragglers.sorted { $0.key < $1.key }.map { "\($0.key.prefix(8)): \($0.value)" }.joined(separator: "; ")
            throw JobFailure(description: "round \(round.round): \(accepted.count) update(s) accepted, \(spec.minFitClients) needed (\(why))")
        }
        try await close(job, round, accepted: accepted, stragglers: stragglers)
    }

    /// Whose update went into a round's aggregate, and what it reported.
    struct Contribution: Sendable {
        var organisation: UUID
        var examples: Int
        var trainLoss: Double?
    }

    func close(_ job: JobStore.JobRow, _ round: JobStore.RoundRow, accepted: [JobStore.UpdateRow], stragglers: [String: String]) async throws {
        let updates = accepted.map { update in
            RoundClose.Update(client: update.organisation.uuidString.lowercased(), examples: update.examples) { try Self.readUpdate(update.path) }
        }
        try await conclude(job, round, updates: updates,
                           contributions: accepted.map { Contribution(organisation: $0.organisation, examples: $0.examples, trainLoss: $0.trainLoss) },
                           stragglers: stragglers, secure: nil)
    }

    /// Aggregates the round's updates (individual ones, or the one secure sum) with the job's
    /// strategy, defence or privacy, publishes the new global model and closes the round.
    func conclude(_ job: JobStore.JobRow, _ round: JobStore.RoundRow, updates: [RoundClose.Update], contributions accepted: [Contribution],
                  stragglers: [String: String], secure: SecureRoundSummary?) async throws {
        let spec = job.spec
        guard let checkpoint = try await store.checkpoint(job.id) else { throw JobFailure(description: "the job has no checkpoint") }
        var strategy = try AnyStrategy(checkpoint: checkpoint)
        guard strategy.nextRound == round.round else { throw JobFailure(description: "the strategy is at round \(strategy.nextRound), the job at \(round.round)") }
        let defence = spec.defence.map { DefenceChoice(name: $0.name, hyperparameters: $0.hyperparameters) }
        let outcome: RoundClose.Outcome
        let previousState = defence?.isStateful == true ? try await store.defenceState(job.id) : nil
        do {
            if let privacy = Self.privacy(spec) {
                // Noise an adversary cannot predict: the system's generator, never a seed.
                var generator = SystemRandomNumberGenerator()
                outcome = try RoundClose.run(&strategy, round: round.round, updates: updates, privacy: privacy, state: try await store.privacyState(job.id),
                                             sampledClients: round.tasks.count, availableClients: try await participants(job).count, using: &generator)
            } else {
                outcome = try RoundClose.run(&strategy, round: round.round, updates: updates, defence: defence, defenceState: previousState)
            }
        } catch let error as DefenceError {
            throw JobFailure(description: "round \(round.round): \(error)")
        }
        let model = outcome.model
        // Verdicts come in the updates' order, so each belongs to the accepted update beside it.
        let verdicts = outcome.verdicts.map { verdicts in
            zip(accepted, verdicts).map { update, verdict in
                UpdateVerdict(organisationId: update.organisation, decision: verdict.decision.rawValue, influence: verdict.influence,
                              score: verdict.score.flatMap { $0.isFinite ? $0 : nil }, reason: verdict.reason)
            }
        }
        if let verdicts, let rule = outcome.rule {
            logger.info("round defended", metadata: ["job": "\(job.id)", "round": "\(round.round)", "rule": .string(rule),
                                                     "excluded": "\(verdicts.filter { $0.decision == "excluded" }.count)"])
        }
        let (bytes, hash) = try Self.serialise(model)
        try await peers.uploadModel(bytes, sha256: hash, federation: job.federationId)
        models.remember(model, hash: hash)
        let examples = accepted.reduce(0) { $0 + $1.examples }
        let losses = accepted.compactMap { update in update.trainLoss.map { ($0, update.examples) } }
        let trainLoss = losses.isEmpty ? nil : losses.reduce(0.0) { $0 + $1.0 * Double($1.1) } / Double(max(1, losses.reduce(0) { $0 + $1.1 }))
        let evaluate = spec.evaluateEvery > 0 && (round.round % spec.evaluateEvery == 0 || round.round == spec.rounds)
        var evaluationTasks: [UUID: UUID]?
        if evaluate {
            var created: [UUID: UUID] = [:]
            for organisation in try await participants(job).sorted(by: { $0.uuidString < $1.uuidString }) {
                let task = try await peers.createTask(NewTask(
                    federationId: job.federationId, organisationId: organisation, kind: "evaluate",
                    parameters: Self.modelParameters(job, modelHash: hash, round: round.round),
                    requirement: TaskRequirement(minimumMemoryGB: 0.25, minimumFreeDiskGB: 0.1, dataset: spec.dataset, maximumCPUUtilisation: 1,
                                                 maximumMemoryUtilisation: 0.95),
                    maxAttempts: 3, leaseSeconds: 60, deadlineSeconds: spec.roundDeadlineSeconds, reference: Self.reference(job.id, round.round) + "/evaluate"))
                created[organisation] = task.id
            }
            evaluationTasks = created
        } else {
            try await peers.registerVersion(NewModelVersion(
                jobId: job.id, federationId: job.federationId, jobName: job.name, round: round.round, sha256: hash, strategy: spec.strategy.name,
                participants: accepted.count, examples: examples, metrics: trainLoss.map { ["trainLoss": $0] } ?? [:]))
        }
        try await store.closeRound(job.id, round.round, modelHash: hash, examples: examples, trainLoss: trainLoss, stragglers: stragglers,
                                   verdicts: verdicts, checkpoint: try strategy.checkpoint(), defenceState: outcome.defenceState, privacy: outcome.privacy,
                                   clippedUpdates: outcome.clippedUpdates, secure: secure, evaluationTasks: evaluationTasks)
        if let epsilon = outcome.privacy?.epsilon { metrics.privacySpent(job: job.id, epsilon: epsilon) }
        metrics.roundClosed(job: job.id, outcome: "completed", openedAt: round.openedAt, accepted: accepted.count, stragglers: stragglers.count)
        logger.info("round closed", metadata: ["job": "\(job.id)", "round": "\(round.round)", "updates": "\(accepted.count)", "model": .string(hash)])
    }

    /// Combines the participants' evaluations example-weighted, once all have answered or the
    /// deadline passed, and records the version with its metrics.
    func evaluateIfDone(_ job: JobStore.JobRow, _ round: JobStore.RoundRow) async throws {
        let tasks = try await peers.tasks(federation: job.federationId, reference: Self.reference(job.id, round.round) + "/evaluate")
        let pastDeadline = Date.now.timeIntervalSince1970 > (round.closedAt ?? round.openedAt) + Double(job.spec.roundDeadlineSeconds)
        guard pastDeadline || tasks.allSatisfy(\.state.isTerminal) else { return }
        var examples = 0
        var lossSum = 0.0
        var correct = 0.0
        for task in tasks where task.state == .succeeded {
            guard let n = task.result?["examples"]?.number, n > 0, let loss = task.result?["loss"]?.number, let accuracy = task.result?["accuracy"]?.number,
                  loss.isFinite, (0...1).contains(accuracy) else { continue }
            examples += Int(n)
            lossSum += loss * n
            correct += accuracy * n
        }
        let loss = examples > 0 ? lossSum / Double(examples) : nil
        let accuracy = examples > 0 ? correct / Double(examples) : nil
        var metrics: [String: Double] = [:]
        if let loss { metrics["loss"] = loss }
        if let accuracy { metrics["accuracy"] = accuracy }
        if let trainLoss = round.trainLoss { metrics["trainLoss"] = trainLoss }
        try await peers.registerVersion(NewModelVersion(
            jobId: job.id, federationId: job.federationId, jobName: job.name, round: round.round, sha256: round.modelHash ?? "", strategy: job.spec.strategy.name,
            participants: round.accepted.count, examples: round.examples, metrics: metrics))
        try await store.finishEvaluation(job.id, round.round, loss: loss, accuracy: accuracy, examples: examples)
        self.metrics.evaluated(job: job.id, accuracy: accuracy, loss: loss)
        logger.info("round evaluated", metadata: ["job": "\(job.id)", "round": "\(round.round)", "accuracy": "\(accuracy ?? -1)", "loss": "\(loss ?? -1)"])
    }

    // MARK: helpers

    /// Organisations with at least one active node holding the job's dataset.
    func participants(_ job: JobStore.JobRow) async throws -> Set<UUID> {
        Set(try await peers.nodes(federation: job.federationId)
            .filter { $0.status == .active && $0.datasets.contains { $0.name == job.spec.dataset } }
            .map(\.organisationId))
    }

    /// An accepted update, from the file the intake checked and fsynced.
    static func readUpdate(_ path: String) throws -> TensorCollection {
        try SafetensorsReader(requireFinite: true).read([UInt8](Data(contentsOf: URL(fileURLWithPath: path))))
    }

    /// The job's differential privacy as the core takes it (nil without).
    static func privacy(_ spec: NewJob) -> PrivacyChoice? {
        spec.privacy.map { PrivacyChoice(clipping: $0.clipping, noiseMultiplier: $0.noiseMultiplier, clippingNorm: $0.clippingNorm,
                                         targetClippedQuantile: $0.targetClippedQuantile, clipNormLearningRate: $0.clipNormLearningRate,
                                         delta: $0.delta ?? 1e-5, targetEpsilon: $0.targetEpsilon) }
    }

    static func reference(_ job: UUID, _ round: Int) -> String { "job:\(job.uuidString.lowercased())/round:\(round)" }

    static func modelParameters(_ job: JobStore.JobRow, modelHash: String, round: Int) -> [String: JSONValue] {
        let model = job.spec.model
        var parameters: [String: JSONValue] = [
            "job": .string(job.id.uuidString.lowercased()), "round": .number(Double(round)), "model": .string(modelHash),
            "dataset": .string(job.spec.dataset), "architecture": .string(model.architecture), "inputs": .number(Double(model.inputs)),
            "hiddenLayers": .array(model.hiddenLayers.map { .number(Double($0)) }), "classes": .number(Double(model.classes)),
        ]
        if let external = job.spec.externalTrainer { parameters["externalTrainer"] = .string(external) }
        return parameters
    }

    static func architecture(_ model: ModelSpec) throws -> ModelArchitecture {
        do {
            switch model.architecture {
            case "logistic": return try .logisticRegression(inputCount: model.inputs, classCount: model.classes)
            case "mlp": return try .multilayerPerceptron(inputCount: model.inputs, hiddenLayers: model.hiddenLayers, classCount: model.classes)
            default: throw JobFailure(description: "unknown architecture '\(model.architecture)' (logistic or mlp)")
            }
        } catch let failure as JobFailure { throw failure } catch { throw JobFailure(description: "\(error)") }
    }

    static func serialise(_ model: TensorCollection) throws -> (bytes: [UInt8], sha256: String) {
        let bytes = try SafetensorsWriter().write(model)
        return (bytes, SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined())
    }
}

/// Global models by hash, kept for validating uploads without a round trip per update.
final class ModelCache: @unchecked Sendable {
    private let lock = NSLock()
    private var models: [String: TensorCollection] = [:]
    private var order: [String] = []
    let peers: Peers

    init(peers: Peers) { self.peers = peers }

    func remember(_ model: TensorCollection, hash: String) {
        lock.withLock {
            guard models[hash] == nil else { return }
            models[hash] = model
            order.append(hash)
            if order.count > 8 { models[order.removeFirst()] = nil }
        }
    }

    func model(_ hash: String) async throws -> TensorCollection {
        if let known = lock.withLock({ models[hash] }) { return known }
        let bytes = try await peers.downloadModel(hash)
        let model = try SafetensorsReader(requireFinite: true).read(bytes)
        remember(model, hash: hash)
        return model
    }
}
