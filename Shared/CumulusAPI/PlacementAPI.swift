import Foundation

/// Request and response bodies of the placement API (placements and aggregator deployments),
/// shared by the service, the coordinator (which binds jobs to a deployment), the CLI and tests.
///
/// Money is USD per month (730 h) unless a name says otherwise; times are seconds of round
/// communication (see PlacementCore's RoundTimeModel: training time is left out).

/// A cloud region as the API names it: provider (`aws`, `gcp`, `azure`, `openstack`) and the
/// provider's own region name.
public struct CloudRegion: Codable, Sendable, Hashable {
    public var provider: String
    public var region: String
    public init(provider: String, region: String) { self.provider = provider; self.region = region }
}

/// A participant's location. `count` repeats it (several participants in one region).
public struct ParticipantLocation: Codable, Sendable, Hashable {
    public var provider: String
    public var region: String
    public var count: Int?
    public init(provider: String, region: String, count: Int? = nil) { self.provider = provider; self.region = region; self.count = count }
}

/// Hard limits. Every field is optional; absent means no limit.
public struct PlacementConstraintsInput: Codable, Sendable, Equatable {
    public var maxMonthlyCostUSD: Double?
    public var maxRoundSeconds: Double?
    public var minVCPU: Int?
    public var minMemoryGB: Double?
    /// Provider names, e.g. `["aws", "gcp"]`.
    public var allowedProviders: [String]?
    public var allowedRegions: [CloudRegion]?
    /// `anywhere` (default), `eu` (the 27 EU member states), `continents:europe,northAmerica`
    /// or `countries:DE,FR` (ISO 3166-1 alpha-2).
    public var residency: String?

    public init(maxMonthlyCostUSD: Double? = nil, maxRoundSeconds: Double? = nil, minVCPU: Int? = nil, minMemoryGB: Double? = nil,
                allowedProviders: [String]? = nil, allowedRegions: [CloudRegion]? = nil, residency: String? = nil) {
        self.maxMonthlyCostUSD = maxMonthlyCostUSD; self.maxRoundSeconds = maxRoundSeconds; self.minVCPU = minVCPU
        self.minMemoryGB = minMemoryGB; self.allowedProviders = allowedProviders; self.allowedRegions = allowedRegions; self.residency = residency
    }
}

/// NSGA-II settings of a hierarchical placement. The seed fully determines the result.
public struct HierarchicalSettingsInput: Codable, Sendable, Equatable {
    /// k, the number of regional aggregators (plus one global).
    public var regionalCount: Int
    public var populationSize: Int?
    public var generations: Int?
    public var seed: UInt64?
    public init(regionalCount: Int, populationSize: Int? = nil, generations: Int? = nil, seed: UInt64? = nil) {
        self.regionalCount = regionalCount; self.populationSize = populationSize; self.generations = generations; self.seed = seed
    }
}

public enum PlacementMode: String, Codable, Sendable, CaseIterable {
    case single
    case hierarchical
}

/// `POST /api/v1/placements`.
public struct NewPlacement: Codable, Sendable, Equatable {
    public var federationId: UUID
    /// Where the participants are. When absent, the service asks the orchestrator for the
    /// federation's nodes (one participant per organisation, in the region most of its nodes are).
    public var participants: [ParticipantLocation]?
    /// Size of the global model sent down each round.
    public var modelBytes: Double
    /// Size of each participant's update sent up; defaults to `modelBytes`.
    public var updateBytes: Double?
    /// Rounds the training will run in total (for the campaign cost); optional.
    public var rounds: Int?
    /// Expected frequency: one round every `roundIntervalSeconds`, or `roundsPerMonth`. Exactly one.
    public var roundIntervalSeconds: Double?
    public var roundsPerMonth: Double?
    public var constraints: PlacementConstraintsInput?
    /// 0 = cheapest first … 1 = fastest first; picks the recommended point. Default 0.5.
    public var preference: Double?
    public var mode: PlacementMode?
    /// Required when `mode` is `hierarchical`.
    public var hierarchical: HierarchicalSettingsInput?
    /// Seed of the random baseline (default 0), so a report can be reproduced.
    public var baselineSeed: UInt64?

    public init(federationId: UUID, participants: [ParticipantLocation]? = nil, modelBytes: Double, updateBytes: Double? = nil, rounds: Int? = nil,
                roundIntervalSeconds: Double? = nil, roundsPerMonth: Double? = nil, constraints: PlacementConstraintsInput? = nil,
                preference: Double? = nil, mode: PlacementMode? = nil, hierarchical: HierarchicalSettingsInput? = nil, baselineSeed: UInt64? = nil) {
        self.federationId = federationId; self.participants = participants; self.modelBytes = modelBytes; self.updateBytes = updateBytes
        self.rounds = rounds; self.roundIntervalSeconds = roundIntervalSeconds; self.roundsPerMonth = roundsPerMonth
        self.constraints = constraints; self.preference = preference; self.mode = mode; self.hierarchical = hierarchical; self.baselineSeed = baselineSeed
    }
}

/// Monthly cost split by who is billed.
public struct CostBreakdownView: Codable, Sendable, Equatable {
    public var instanceUSD: Double
    public var aggregatorEgressUSD: Double
    public var participantEgressUSD: Double
    public init(instanceUSD: Double, aggregatorEgressUSD: Double, participantEgressUSD: Double) {
        self.instanceUSD = instanceUSD; self.aggregatorEgressUSD = aggregatorEgressUSD; self.participantEgressUSD = participantEgressUSD
    }
}

/// One machine an aggregator runs on.
public struct AggregatorSite: Codable, Sendable, Equatable {
    public var provider: String
    public var region: String
    public var instanceType: String
    public var vCPU: Int
    public var memoryGB: Double
    public var hourlyUSD: Double
    public init(provider: String, region: String, instanceType: String, vCPU: Int, memoryGB: Double, hourlyUSD: Double) {
        self.provider = provider; self.region = region; self.instanceType = instanceType; self.vCPU = vCPU; self.memoryGB = memoryGB; self.hourlyUSD = hourlyUSD
    }
}

/// A placement point: one aggregator (`single`), or a global one with k regional ones.
public struct PlacementPointView: Codable, Sendable, Equatable {
    /// Position on the front (cheapest first); nil for a baseline that is not on the front.
    public var frontIndex: Int?
    /// The single aggregator, or the global one of a hierarchy.
    public var site: AggregatorSite
    /// Hierarchical only: the regional aggregators by slot.
    public var regional: [AggregatorSite]?
    /// Hierarchical only: for each participant (in `participants` order), its regional slot.
    public var assignment: [Int]?
    public var monthlyCostUSD: Double
    public var cost: CostBreakdownView
    public var roundSeconds: Double
    /// The participant region the round waits for.
    public var bottleneck: CloudRegion
    /// Monthly cost × the months `rounds` take at the given frequency; nil without `rounds`.
    public var campaignCostUSD: Double?
    public init(frontIndex: Int?, site: AggregatorSite, regional: [AggregatorSite]? = nil, assignment: [Int]? = nil, monthlyCostUSD: Double,
                cost: CostBreakdownView, roundSeconds: Double, bottleneck: CloudRegion, campaignCostUSD: Double?) {
        self.frontIndex = frontIndex; self.site = site; self.regional = regional; self.assignment = assignment; self.monthlyCostUSD = monthlyCostUSD
        self.cost = cost; self.roundSeconds = roundSeconds; self.bottleneck = bottleneck; self.campaignCostUSD = campaignCostUSD
    }
}

/// How much better a selected point is than a baseline; positive = the point saves.
public struct SavingsView: Codable, Sendable, Equatable {
    /// `recommended`, `knee`, `costFirst` or `latencyFirst`.
    public var point: String
    public var baseline: String
    public var costUSD: Double
    public var costPercent: Double
    public var roundSeconds: Double
    public var roundPercent: Double
    public init(point: String, baseline: String, costUSD: Double, costPercent: Double, roundSeconds: Double, roundPercent: Double) {
        self.point = point; self.baseline = baseline; self.costUSD = costUSD; self.costPercent = costPercent
        self.roundSeconds = roundSeconds; self.roundPercent = roundPercent
    }
}

/// A naive placement beside the recommendation.
public struct BaselineView: Codable, Sendable, Equatable {
    /// `cheapestInstance`, `random` or `mostCommonParticipantRegion`.
    public var kind: String
    public var label: String
    public var option: PlacementPointView?
    /// Why there is no option, when there is none.
    public var unavailable: String?
    public init(kind: String, label: String, option: PlacementPointView?, unavailable: String?) {
        self.kind = kind; self.label = label; self.option = option; self.unavailable = unavailable
    }
}

public struct ExclusionView: Codable, Sendable, Equatable {
    public var reason: String
    public var count: Int
    public init(reason: String, count: Int) { self.reason = reason; self.count = count }
}

/// Which catalogue produced a result.
public struct CatalogueSummary: Codable, Sendable, Equatable {
    /// `default` (built in, approximate), `files` (CSV paths) or another source's name.
    public var source: String
    public var description: String
    public var offers: Int
    public var pricedRegions: Int
    public var latencyPairs: Int
    public init(source: String, description: String, offers: Int, pricedRegions: Int, latencyPairs: Int) {
        self.source = source; self.description = description; self.offers = offers; self.pricedRegions = pricedRegions; self.latencyPairs = latencyPairs
    }
}

/// Hierarchical runs only: what NSGA-II did.
public struct EvolutionView: Codable, Sendable, Equatable {
    public var regionalCount: Int
    public var populationSize: Int
    public var generations: Int
    public var seed: UInt64
    public var evaluations: Int
    public var hypervolume: Double
    /// Hypervolume as a share of the box from the origin to the reference point.
    public var normalisedHypervolume: Double
    /// After the initial population, then after each generation (non-decreasing).
    public var hypervolumeHistory: [Double]
    public var referenceCostUSD: Double
    public var referenceRoundSeconds: Double
    public var candidateRegions: [CloudRegion]
    public init(regionalCount: Int, populationSize: Int, generations: Int, seed: UInt64, evaluations: Int, hypervolume: Double,
                normalisedHypervolume: Double, hypervolumeHistory: [Double], referenceCostUSD: Double, referenceRoundSeconds: Double,
                candidateRegions: [CloudRegion]) {
        self.regionalCount = regionalCount; self.populationSize = populationSize; self.generations = generations; self.seed = seed
        self.evaluations = evaluations; self.hypervolume = hypervolume; self.normalisedHypervolume = normalisedHypervolume
        self.hypervolumeHistory = hypervolumeHistory; self.referenceCostUSD = referenceCostUSD; self.referenceRoundSeconds = referenceRoundSeconds
        self.candidateRegions = candidateRegions
    }
}

/// A stored placement and its answer.
public struct PlacementView: Codable, Sendable, Equatable {
    public var id: UUID
    public var federationId: UUID
    public var createdBy: String
    public var createdAt: Date
    public var mode: PlacementMode
    /// The request as understood (defaults filled in, participants resolved).
    public var request: NewPlacement
    /// One entry per participant, as the models used them.
    public var participants: [CloudRegion]
    /// `request` or `orchestrator`.
    public var participantsSource: String
    public var roundsPerMonth: Double
    public var catalogue: CatalogueSummary
    public var modelVersion: Int
    /// Pareto-optimal points, cheapest first (exact for `single`, NSGA-II's archive for `hierarchical`).
    public var front: [PlacementPointView]
    public var recommended: PlacementPointView?
    public var knee: PlacementPointView?
    public var costFirst: PlacementPointView?
    public var latencyFirst: PlacementPointView?
    /// Single mode: cheapest instance, a seeded random feasible option, the participants' most common region.
    public var baselines: [BaselineView]
    public var savings: [SavingsView]
    /// Single mode: offers evaluated (all of them) and feasible.
    public var evaluatedOffers: Int?
    public var feasibleOffers: Int?
    /// Why options were excluded (first failing rule), by reason.
    public var exclusions: [ExclusionView]
    public var evolution: EvolutionView?

    public init(id: UUID, federationId: UUID, createdBy: String, createdAt: Date, mode: PlacementMode, request: NewPlacement, participants: [CloudRegion],
                participantsSource: String, roundsPerMonth: Double, catalogue: CatalogueSummary, modelVersion: Int, front: [PlacementPointView],
                recommended: PlacementPointView?, knee: PlacementPointView?, costFirst: PlacementPointView?, latencyFirst: PlacementPointView?,
                baselines: [BaselineView], savings: [SavingsView], evaluatedOffers: Int?, feasibleOffers: Int?, exclusions: [ExclusionView],
                evolution: EvolutionView?) {
        self.id = id; self.federationId = federationId; self.createdBy = createdBy; self.createdAt = createdAt; self.mode = mode
        self.request = request; self.participants = participants; self.participantsSource = participantsSource; self.roundsPerMonth = roundsPerMonth
        self.catalogue = catalogue; self.modelVersion = modelVersion; self.front = front; self.recommended = recommended; self.knee = knee
        self.costFirst = costFirst; self.latencyFirst = latencyFirst; self.baselines = baselines; self.savings = savings
        self.evaluatedOffers = evaluatedOffers; self.feasibleOffers = feasibleOffers; self.exclusions = exclusions; self.evolution = evolution
    }
}

/// A listing entry: the headline figures without the whole front.
public struct PlacementSummary: Codable, Sendable, Equatable {
    public var id: UUID
    public var federationId: UUID
    public var mode: PlacementMode
    public var createdAt: Date
    public var createdBy: String
    public var frontSize: Int
    public var recommended: PlacementPointView?
    public init(id: UUID, federationId: UUID, mode: PlacementMode, createdAt: Date, createdBy: String, frontSize: Int, recommended: PlacementPointView?) {
        self.id = id; self.federationId = federationId; self.mode = mode; self.createdAt = createdAt; self.createdBy = createdBy
        self.frontSize = frontSize; self.recommended = recommended
    }
}

public struct PlacementList: Codable, Sendable, Equatable {
    public var placements: [PlacementSummary]
    public init(placements: [PlacementSummary]) { self.placements = placements }
}

// MARK: - Deployments

public enum ProvisionerKind: String, Codable, Sendable, CaseIterable {
    /// Starts the aggregator endpoint(s) on the placement service's own machine.
    case embedded
    /// Renders Terraform configuration per provider; runs `terraform` only on `start`.
    case terraform
}

public enum DeploymentStatus: String, Codable, Sendable, CaseIterable {
    /// Terraform configuration written; nothing runs and nothing is billed.
    case rendered
    /// A start (or, for terraform, an apply) is under way.
    case starting
    case running
    /// A stop (or a terraform destroy) is under way.
    case stopping
    case stopped
    /// The last start failed; `lastError` says why.
    case failed
}

/// `POST /api/v1/deployments`: deploy one point of a placement's front.
public struct NewDeployment: Codable, Sendable, Equatable {
    public var placementId: UUID
    /// Position on the front; or use `point`.
    public var frontIndex: Int?
    /// `recommended`, `knee`, `costFirst` or `latencyFirst`, when `frontIndex` is absent.
    public var point: String?
    public var provisioner: ProvisionerKind?
    public init(placementId: UUID, frontIndex: Int? = nil, point: String? = nil, provisioner: ProvisionerKind? = nil) {
        self.placementId = placementId; self.frontIndex = frontIndex; self.point = point; self.provisioner = provisioner
    }
}

/// One aggregator of a deployment: where it was placed and where it answers.
public struct DeployedAggregator: Codable, Sendable, Equatable {
    public var id: UUID
    /// `single`, `global` or `regional`.
    public var role: String
    /// Regional slot (hierarchical), else nil.
    public var slot: Int?
    public var site: AggregatorSite
    /// Base URL of the running endpoint (`GET {endpoint}/healthz`, `/identity`); nil when not running.
    public var endpoint: String?
    public init(id: UUID, role: String, slot: Int?, site: AggregatorSite, endpoint: String?) {
        self.id = id; self.role = role; self.slot = slot; self.site = site; self.endpoint = endpoint
    }
}

/// A deployment, as the coordinator reads it to bind a job: status and endpoint(s).
public struct DeploymentView: Codable, Sendable, Equatable {
    public var id: UUID
    public var federationId: UUID
    public var placementId: UUID
    public var frontIndex: Int
    public var provisioner: ProvisionerKind
    public var status: DeploymentStatus
    /// The global (or single) aggregator's endpoint while running: what a job binds to.
    public var endpoint: String?
    public var aggregators: [DeployedAggregator]
    public var monthlyCostUSD: Double
    public var roundSeconds: Double
    public var createdBy: String
    public var createdAt: Date
    public var startedAt: Date?
    public var stoppedAt: Date?
    /// Terraform only: the folder holding the rendered configuration.
    public var terraformDirectory: String?
    public var lastError: String?
    public init(id: UUID, federationId: UUID, placementId: UUID, frontIndex: Int, provisioner: ProvisionerKind, status: DeploymentStatus, endpoint: String?,
                aggregators: [DeployedAggregator], monthlyCostUSD: Double, roundSeconds: Double, createdBy: String, createdAt: Date, startedAt: Date?,
                stoppedAt: Date?, terraformDirectory: String?, lastError: String?) {
        self.id = id; self.federationId = federationId; self.placementId = placementId; self.frontIndex = frontIndex; self.provisioner = provisioner
        self.status = status; self.endpoint = endpoint; self.aggregators = aggregators; self.monthlyCostUSD = monthlyCostUSD
        self.roundSeconds = roundSeconds; self.createdBy = createdBy; self.createdAt = createdAt; self.startedAt = startedAt
        self.stoppedAt = stoppedAt; self.terraformDirectory = terraformDirectory; self.lastError = lastError
    }
}

public struct DeploymentList: Codable, Sendable, Equatable {
    public var deployments: [DeploymentView]
    public init(deployments: [DeploymentView]) { self.deployments = deployments }
}

/// What an aggregator endpoint answers at `GET /identity` (and, with `status`, at `/healthz`).
public struct AggregatorIdentity: Codable, Sendable, Equatable {
    public var aggregatorId: UUID
    public var deploymentId: UUID
    public var federationId: UUID
    public var role: String
    public var site: AggregatorSite
    public var provisioner: ProvisionerKind
    public var startedAt: Date
    public var status: String
    public init(aggregatorId: UUID, deploymentId: UUID, federationId: UUID, role: String, site: AggregatorSite, provisioner: ProvisionerKind,
                startedAt: Date, status: String) {
        self.aggregatorId = aggregatorId; self.deploymentId = deploymentId; self.federationId = federationId; self.role = role
        self.site = site; self.provisioner = provisioner; self.startedAt = startedAt; self.status = status
    }
}
