import Foundation

/// Request and response bodies of the coordinator (jobs, rounds, updates) and the registry
/// (model versions), shared by the services, the agent, the CLI and the tests.

/// The model a job starts from: a built-in architecture (a seeded initialisation) or a
/// safetensors file uploaded to the registry beforehand (`initialModelHash`).
public struct ModelSpec: Codable, Sendable, Equatable {
    /// "logistic" or "mlp".
    public var architecture: String
    public var inputs: Int
    public var hiddenLayers: [Int]
    public var classes: Int
    public var initialModelHash: String?
    public init(architecture: String, inputs: Int, hiddenLayers: [Int] = [], classes: Int, initialModelHash: String? = nil) {
        self.architecture = architecture; self.inputs = inputs; self.hiddenLayers = hiddenLayers; self.classes = classes
        self.initialModelHash = initialModelHash
    }
}

/// The strategy and its hyperparameters, by Flower's names (camel-cased): fedavg, fedprox
/// (proximalMu), fedavgm, fedadam, fedyogi, fedadagrad.
public struct StrategySpec: Codable, Sendable, Equatable {
    public var name: String
    public var hyperparameters: [String: Double]
    public init(name: String, hyperparameters: [String: Double] = [:]) { self.name = name; self.hyperparameters = hyperparameters }
}

/// A robust aggregation rule in place of the weighted mean (`fedmedian`, `fedtrimmedavg` with
/// `beta`, `krum` with `numMaliciousClients` and `numClientsToKeep`, `bulyan` with
/// `numMaliciousClients`, `fedqv` with `budget`, `theta`, `maskAboveOneMinusTheta`, `reputation`
/// with `lambda`, `threshold`, `kappa`, `prior`, `baseRate`, `decay`); the strategy's server step
/// then applies to its result. FedQV and the reputation rule carry state from round to round.
public struct DefenceSpec: Codable, Sendable, Equatable {
    public var name: String
    public var hyperparameters: [String: Double]
    public init(name: String, hyperparameters: [String: Double] = [:]) { self.name = name; self.hyperparameters = hyperparameters }
}

/// Differential privacy for a job: `clipping` is `server-fixed`, `server-adaptive` or
/// `client-fixed` (the agents clip their own updates); Gaussian noise of `noiseMultiplier` × the
/// clipping norm ÷ participants asked is added to each round's mean; a Rényi accountant reports ε
/// for `delta` (default 1e-5) after every round, and with `targetEpsilon` the job stops before a
/// round would spend more.
public struct PrivacySpec: Codable, Sendable, Equatable {
    public var clipping: String
    public var noiseMultiplier: Double
    /// The fixed norm, or the starting norm of adaptive clipping.
    public var clippingNorm: Double
    public var targetClippedQuantile: Double?
    public var clipNormLearningRate: Double?
    public var delta: Double?
    public var targetEpsilon: Double?
    public init(clipping: String, noiseMultiplier: Double, clippingNorm: Double, targetClippedQuantile: Double? = nil, clipNormLearningRate: Double? = nil,
                delta: Double? = nil, targetEpsilon: Double? = nil) {
        self.clipping = clipping; self.noiseMultiplier = noiseMultiplier; self.clippingNorm = clippingNorm
        self.targetClippedQuantile = targetClippedQuantile; self.clipNormLearningRate = clipNormLearningRate; self.delta = delta; self.targetEpsilon = targetEpsilon
    }
}

/// Secure aggregation (SecAgg+): the coordinator learns only the weighted sum of the round's
/// updates. Each agent masks `weight × (its model − the global model)`, clipped coordinate-wise
/// to ±`clippingRange`, where weight = min(examples, `maxExamples`) ÷ `maxExamples`. A round
/// survives dropouts while at least `threshold` × the agents that joined it remain (a fraction
/// above one half, rounded up); below that it is aborted and run again. Every protocol stage
/// waits at most `stageTimeoutSeconds` for the agents. With `neighbours` k, each agent shares
/// secrets and masks only with about k others on a random ring (SecAgg+: work grows with k, not
/// with the round's size), and the threshold applies to each neighbourhood; without it, with
/// everyone. Not with a defence or differential privacy, which need the individual updates.
public struct SecureAggregationSpec: Codable, Sendable, Equatable {
    public var threshold: Double?
    public var clippingRange: Double?
    public var maxExamples: Int?
    public var stageTimeoutSeconds: Int?
    public var neighbours: Int?
    public init(threshold: Double? = nil, clippingRange: Double? = nil, maxExamples: Int? = nil, stageTimeoutSeconds: Int? = nil, neighbours: Int? = nil) {
        self.threshold = threshold; self.clippingRange = clippingRange; self.maxExamples = maxExamples; self.stageTimeoutSeconds = stageTimeoutSeconds
        self.neighbours = neighbours
    }
    public static let defaultThreshold = 0.67
    public static let defaultClippingRange = 1.0
    public static let defaultMaxExamples = 10_000
    public static let defaultStageTimeoutSeconds = 30
    public var effectiveThreshold: Double { threshold ?? Self.defaultThreshold }
    public var effectiveClippingRange: Double { clippingRange ?? Self.defaultClippingRange }
    public var effectiveMaxExamples: Int { maxExamples ?? Self.defaultMaxExamples }
    public var effectiveStageTimeoutSeconds: Int { stageTimeoutSeconds ?? Self.defaultStageTimeoutSeconds }
}

/// A securely aggregated round as the job shows it: who joined, the threshold, who contributed
/// to the sum, who dropped out at which stage, and the attempts aborted before this one.
public struct SecureRoundSummary: Codable, Sendable, Equatable {
    public var session: String
    public var joined: Int
    public var threshold: Int
    public var contributors: [UUID]
    /// Node ids that dropped out, with the stage they missed.
    public var dropped: [String: String]
    public var abortedAttempts: [String]
    public init(session: String, joined: Int, threshold: Int, contributors: [UUID], dropped: [String: String], abortedAttempts: [String]) {
        self.session = session; self.joined = joined; self.threshold = threshold; self.contributors = contributors; self.dropped = dropped
        self.abortedAttempts = abortedAttempts
    }
}

/// `POST /api/v1/jobs/{id}/rounds/{round}/secure/join`: a node offers its organisation's train task
/// to the round's secure aggregation.
public struct SecureJoin: Codable, Sendable, Equatable {
    public var taskId: UUID
    public init(taskId: UUID) { self.taskId = taskId }
}

/// What a round's defence did with one organisation's update: `kept`, `downWeighted` or
/// `excluded`, its share of the new model (shares sum to 1), the rule's score, and why.
public struct UpdateVerdict: Codable, Sendable, Equatable {
    public var organisationId: UUID
    public var decision: String
    public var influence: Double
    public var score: Double?
    public var reason: String
    public init(organisationId: UUID, decision: String, influence: Double, score: Double?, reason: String) {
        self.organisationId = organisationId; self.decision = decision; self.influence = influence; self.score = score; self.reason = reason
    }
}

/// What every participant does locally each round.
public struct LocalTrainingSpec: Codable, Sendable, Equatable {
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Double
    public var momentum: Double
    public var weightDecay: Double
    public init(epochs: Int = 1, batchSize: Int = 32, learningRate: Double = 0.05, momentum: Double = 0.9, weightDecay: Double = 0) {
        self.epochs = epochs; self.batchSize = batchSize; self.learningRate = learningRate; self.momentum = momentum; self.weightDecay = weightDecay
    }
}

/// `POST /api/v1/jobs`.
public struct NewJob: Codable, Sendable, Equatable {
    public var federationId: UUID
    public var name: String
    public var model: ModelSpec
    /// The dataset every participant must hold (a CSV named `<dataset>.csv` in the agent's data folder).
    public var dataset: String
    public var strategy: StrategySpec
    public var rounds: Int
    /// Share of the participants asked each round (0…1], and the least number asked.
    public var fractionFit: Double
    public var minFitClients: Int
    /// Rounds wait until at least this many participants have an eligible node.
    public var minAvailableClients: Int
    public var roundDeadlineSeconds: Int
    public var local: LocalTrainingSpec
    /// Federated evaluation every k rounds (0: never; the last round is always evaluated when k > 0).
    public var evaluateEvery: Int
    public var seed: UInt64
    /// An external trainer command on the agents instead of the built-in trainer (see README).
    public var externalTrainer: String?
    /// The job waits in the queue until someone else who may decide approvals approves it
    /// (`POST /api/v1/jobs/{id}/approve`); approving early ("pre-approval") keeps its place.
    public var requireApproval: Bool?
    /// A robust aggregation rule against poisoned updates (none: the strategy's weighted mean).
    public var defence: DefenceSpec?
    /// A running aggregator deployment of the federation (`POST /api/v1/deployments`) the job is
    /// bound to: checked when the job is created, and before every round.
    public var deploymentId: UUID?
    /// Differential privacy (not with a defence).
    public var privacy: PrivacySpec?
    /// Secure aggregation (not with a defence or differential privacy).
    public var secureAggregation: SecureAggregationSpec?
    public init(federationId: UUID, name: String, model: ModelSpec, dataset: String, strategy: StrategySpec, rounds: Int, fractionFit: Double = 1,
                minFitClients: Int = 1, minAvailableClients: Int = 1, roundDeadlineSeconds: Int = 300, local: LocalTrainingSpec = .init(),
                evaluateEvery: Int = 1, seed: UInt64 = 1, externalTrainer: String? = nil, requireApproval: Bool? = nil, defence: DefenceSpec? = nil,
                deploymentId: UUID? = nil, privacy: PrivacySpec? = nil, secureAggregation: SecureAggregationSpec? = nil) {
        self.federationId = federationId; self.name = name; self.model = model; self.dataset = dataset; self.strategy = strategy; self.rounds = rounds
        self.fractionFit = fractionFit; self.minFitClients = minFitClients; self.minAvailableClients = minAvailableClients
        self.roundDeadlineSeconds = roundDeadlineSeconds; self.local = local; self.evaluateEvery = evaluateEvery; self.seed = seed
        self.externalTrainer = externalTrainer
        self.requireApproval = requireApproval
        self.defence = defence
        self.deploymentId = deploymentId
        self.privacy = privacy
        self.secureAggregation = secureAggregation
    }
}

public enum JobState: String, Codable, Sendable, CaseIterable {
    case queued, running, succeeded, failed, cancelled
    public var isTerminal: Bool { [.succeeded, .failed, .cancelled].contains(self) }
}

/// One round as the dashboard and CLI show it.
public struct RoundView: Codable, Sendable, Equatable {
    public var round: Int
    /// "open", "closed", "failed".
    public var state: String
    public var openedAt: Date
    public var closedAt: Date?
    public var invited: [UUID]
    public var accepted: [UUID]
    /// Participants whose task failed or who missed the deadline, with why.
    public var stragglers: [String: String]
    public var rejectedUpdates: Int
    public var examples: Int
    public var trainLoss: Double?
    public var evaluationLoss: Double?
    public var evaluationAccuracy: Double?
    public var modelHash: String?
    /// The job's defence's verdict on each accepted update (absent without a defence).
    public var verdicts: [UpdateVerdict]?
    /// With differential privacy: ε spent so far (for the job's δ), and how many updates this
    /// round were scaled down to the clipping norm.
    public var epsilon: Double?
    public var clippedUpdates: Int?
    /// With secure aggregation: how the round's secure sum went.
    public var secure: SecureRoundSummary?
    public init(round: Int, state: String, openedAt: Date, closedAt: Date?, invited: [UUID], accepted: [UUID], stragglers: [String: String],
                rejectedUpdates: Int, examples: Int, trainLoss: Double?, evaluationLoss: Double?, evaluationAccuracy: Double?, modelHash: String?,
                verdicts: [UpdateVerdict]? = nil, epsilon: Double? = nil, clippedUpdates: Int? = nil, secure: SecureRoundSummary? = nil) {
        self.round = round; self.state = state; self.openedAt = openedAt; self.closedAt = closedAt; self.invited = invited; self.accepted = accepted
        self.stragglers = stragglers; self.rejectedUpdates = rejectedUpdates; self.examples = examples; self.trainLoss = trainLoss
        self.evaluationLoss = evaluationLoss; self.evaluationAccuracy = evaluationAccuracy; self.modelHash = modelHash; self.verdicts = verdicts
        self.epsilon = epsilon; self.clippedUpdates = clippedUpdates; self.secure = secure
    }
}

public struct JobView: Codable, Sendable, Equatable {
    public var id: UUID
    public var federationId: UUID
    public var name: String
    public var spec: NewJob
    public var state: JobState
    public var completedRounds: Int
    public var globalModelHash: String?
    public var error: String?
    public var createdBy: String
    /// Who approved the job, when it needed approval.
    public var approvedBy: String?
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    /// The aggregator the job is bound to, as it was when the job was created (nil: unbound).
    public var aggregator: JobAggregator?
    /// Why a job ended before its last round though nothing failed (its privacy budget).
    public var stopReason: String?
    public var rounds: [RoundView]
    public init(id: UUID, federationId: UUID, name: String, spec: NewJob, state: JobState, completedRounds: Int, globalModelHash: String?, error: String?,
                createdBy: String, approvedBy: String? = nil, createdAt: Date, startedAt: Date?, finishedAt: Date?, aggregator: JobAggregator? = nil,
                stopReason: String? = nil, rounds: [RoundView]) {
        self.id = id; self.federationId = federationId; self.name = name; self.spec = spec; self.state = state; self.completedRounds = completedRounds
        self.globalModelHash = globalModelHash; self.error = error; self.createdBy = createdBy; self.approvedBy = approvedBy; self.createdAt = createdAt
        self.startedAt = startedAt; self.finishedAt = finishedAt; self.aggregator = aggregator; self.stopReason = stopReason; self.rounds = rounds
    }
}

/// The deployed aggregator a job is bound to: which deployment, where it was placed, and the
/// endpoint that answered for it when the job was created.
public struct JobAggregator: Codable, Sendable, Equatable {
    public var deploymentId: UUID
    public var aggregatorId: UUID
    public var provisioner: ProvisionerKind
    public var site: AggregatorSite
    public var endpoint: String
    /// The placement's estimate for the deployed point, to set beside the measured rounds.
    public var estimatedRoundSeconds: Double
    public var estimatedMonthlyCostUSD: Double
    public init(deploymentId: UUID, aggregatorId: UUID, provisioner: ProvisionerKind, site: AggregatorSite, endpoint: String,
                estimatedRoundSeconds: Double, estimatedMonthlyCostUSD: Double) {
        self.deploymentId = deploymentId; self.aggregatorId = aggregatorId; self.provisioner = provisioner; self.site = site; self.endpoint = endpoint
        self.estimatedRoundSeconds = estimatedRoundSeconds; self.estimatedMonthlyCostUSD = estimatedMonthlyCostUSD
    }
}

public struct JobList: Codable, Sendable, Equatable {
    public var jobs: [JobView]
    public init(jobs: [JobView]) { self.jobs = jobs }
}

/// What the coordinator answers when it has durably accepted an update.
public struct UpdateReceipt: Codable, Sendable, Equatable {
    public var jobId: UUID
    public var round: Int
    public var sha256: String
    public var examples: Int
    public var bytes: Int
    public init(jobId: UUID, round: Int, sha256: String, examples: Int, bytes: Int) {
        self.jobId = jobId; self.round = round; self.sha256 = sha256; self.examples = examples; self.bytes = bytes
    }
}

/// Headers of an update upload (`PUT /api/v1/jobs/{id}/rounds/{round}/update`, body safetensors).
public enum UpdateHeaders {
    public static let examples = "X-Cumulus-Examples"
    /// base64 Ed25519 signature by the node's enrolled key over `signedMessage(sha256:…)`.
    public static let signature = "X-Cumulus-Signature"
    public static let task = "X-Cumulus-Task"
    /// Mean training loss, for the round's metrics.
    public static let trainLoss = "X-Cumulus-Train-Loss"

    /// What a node signs: binds the content hash to the job, round and task, so a signed
    /// update cannot be replayed into another round.
    public static func signedMessage(sha256: String, jobId: UUID, round: Int, task: UUID) -> Data {
        Data("cumulus-update:\(jobId.uuidString.lowercased()):\(round):\(task.uuidString.lowercased()):\(sha256)".utf8)
    }
}

// MARK: registry

public enum ModelStage: String, Codable, Sendable, CaseIterable { case none, staging, production, archived }

/// `POST /api/v1/models/versions` (the coordinator, with `models:register`).
public struct NewModelVersion: Codable, Sendable, Equatable {
    public var jobId: UUID
    public var federationId: UUID
    public var jobName: String
    public var round: Int
    public var sha256: String
    public var strategy: String
    public var participants: Int
    public var examples: Int
    public var metrics: [String: Double]
    public init(jobId: UUID, federationId: UUID, jobName: String, round: Int, sha256: String, strategy: String, participants: Int, examples: Int,
                metrics: [String: Double]) {
        self.jobId = jobId; self.federationId = federationId; self.jobName = jobName; self.round = round; self.sha256 = sha256
        self.strategy = strategy; self.participants = participants; self.examples = examples; self.metrics = metrics
    }
}

public struct ModelVersion: Codable, Sendable, Equatable {
    public var id: UUID
    public var jobId: UUID
    public var federationId: UUID
    public var jobName: String
    public var round: Int
    public var sha256: String
    public var bytes: Int
    public var strategy: String
    public var participants: Int
    public var examples: Int
    public var metrics: [String: Double]
    public var stage: ModelStage
    public var createdAt: Date
    public init(id: UUID, jobId: UUID, federationId: UUID, jobName: String, round: Int, sha256: String, bytes: Int, strategy: String,
                participants: Int, examples: Int, metrics: [String: Double], stage: ModelStage, createdAt: Date) {
        self.id = id; self.jobId = jobId; self.federationId = federationId; self.jobName = jobName; self.round = round; self.sha256 = sha256
        self.bytes = bytes; self.strategy = strategy; self.participants = participants; self.examples = examples; self.metrics = metrics
        self.stage = stage; self.createdAt = createdAt
    }
}

public struct ModelVersionList: Codable, Sendable, Equatable {
    public var versions: [ModelVersion]
    public init(versions: [ModelVersion]) { self.versions = versions }
}

/// `GET /api/v1/models/best`: the chosen version and why.
public struct BestModel: Codable, Sendable, Equatable {
    public var version: ModelVersion
    public var metric: String
    public var value: Double
    public var reason: String
    public init(version: ModelVersion, metric: String, value: Double, reason: String) {
        self.version = version; self.metric = metric; self.value = value; self.reason = reason
    }
}
