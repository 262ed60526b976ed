import Foundation

/// Request and response bodies of the orchestrator API (nodes, telemetry, tasks), shared by the
/// service, the agent, the CLI and the tests.

public enum NodeStatus: String, Codable, Sendable, CaseIterable {
    /// Heartbeating and available for work.
    case active
    /// Missed heartbeats for longer than the health timeout; returns to active when they resume.
    case inactive
    /// Set by an operator: finishes what it has, takes nothing new.
    case draining
    /// Failed several task attempts in a row; an operator undrains it once fixed.
    case failed
}

/// Where a node runs. Filled from flags or from the cloud's instance-metadata endpoint.
public struct NodeLocation: Codable, Sendable, Equatable {
    public var provider: String?
    public var region: String?
    public var zone: String?
    public var instanceType: String?
    public init(provider: String? = nil, region: String? = nil, zone: String? = nil, instanceType: String? = nil) {
        self.provider = provider; self.region = region; self.zone = zone; self.instanceType = instanceType
    }
}

/// What a node offers. The agent measures it; an operator may cap it with flags.
public struct NodeSpecs: Codable, Sendable, Equatable {
    public var vcpus: Int
    public var memoryBytes: Int64
    public var diskBytes: Int64
    public var gpus: [GPUSpec]
    public init(vcpus: Int, memoryBytes: Int64, diskBytes: Int64, gpus: [GPUSpec] = []) {
        self.vcpus = vcpus; self.memoryBytes = memoryBytes; self.diskBytes = diskBytes; self.gpus = gpus
    }

    public struct GPUSpec: Codable, Sendable, Equatable {
        public var name: String
        public var memoryBytes: Int64
        public init(name: String, memoryBytes: Int64) { self.name = name; self.memoryBytes = memoryBytes }
    }
}

/// `POST /api/v1/agent/register`: sent by `cumulus-agent` (with its node token) each time it
/// starts, so specs and location stay current. The node's identity comes from the token.
public struct NodeRegistration: Codable, Sendable {
    /// The federation the node enrolled in (governance confirms it).
    public var federationId: UUID
    public var hostname: String
    public var location: NodeLocation
    public var specs: NodeSpecs
    public var labels: [String: String]
    /// base64 Ed25519 and X25519 public keys, as enrolled at governance.
    public var signingPublicKey: String
    public var agreementPublicKey: String
    public var agentVersion: String
    public init(federationId: UUID, hostname: String, location: NodeLocation, specs: NodeSpecs, labels: [String: String], signingPublicKey: String,
                agreementPublicKey: String, agentVersion: String) {
        self.federationId = federationId; self.hostname = hostname; self.location = location; self.specs = specs; self.labels = labels
        self.signingPublicKey = signingPublicKey; self.agreementPublicKey = agreementPublicKey; self.agentVersion = agentVersion
    }
}

/// A dataset a node holds: described, never sent.
public struct DatasetSummary: Codable, Sendable, Equatable, Hashable {
    public var name: String
    public var rows: Int
    /// SHA-256 of the header line (column names), hex: participants with the same schema match.
    public var schemaHash: String
    public init(name: String, rows: Int, schemaHash: String) { self.name = name; self.rows = rows; self.schemaHash = schemaHash }
}

/// One GPU's live state, from `nvidia-smi` where it exists.
public struct GPUTelemetry: Codable, Sendable, Equatable {
    public var index: Int
    public var name: String
    public var memoryTotalBytes: Int64
    public var memoryUsedBytes: Int64
    /// 0…100.
    public var utilisationPercent: Double
    public init(index: Int, name: String, memoryTotalBytes: Int64, memoryUsedBytes: Int64, utilisationPercent: Double) {
        self.index = index; self.name = name; self.memoryTotalBytes = memoryTotalBytes; self.memoryUsedBytes = memoryUsedBytes
        self.utilisationPercent = utilisationPercent
    }
}

/// Telemetry measured on the machine, as of `measuredAt`.
public struct Telemetry: Codable, Sendable, Equatable {
    /// 0…100, over all cores, since the previous sample.
    public var cpuPercent: Double
    public var memoryUsedBytes: Int64
    public var memoryTotalBytes: Int64
    public var diskUsedBytes: Int64
    public var diskFreeBytes: Int64
    /// 1, 5 and 15-minute load averages.
    public var load: [Double]
    public var gpus: [GPUTelemetry]
    public init(cpuPercent: Double, memoryUsedBytes: Int64, memoryTotalBytes: Int64, diskUsedBytes: Int64, diskFreeBytes: Int64,
                load: [Double], gpus: [GPUTelemetry] = []) {
        self.cpuPercent = cpuPercent; self.memoryUsedBytes = memoryUsedBytes; self.memoryTotalBytes = memoryTotalBytes
        self.diskUsedBytes = diskUsedBytes; self.diskFreeBytes = diskFreeBytes; self.load = load; self.gpus = gpus
    }

    public var memoryPercent: Double { memoryTotalBytes > 0 ? Double(memoryUsedBytes) / Double(memoryTotalBytes) * 100 : 0 }
}

/// `POST /api/v1/agent/heartbeat`.
public struct Heartbeat: Codable, Sendable, Equatable {
    public var telemetry: Telemetry
    public var datasets: [DatasetSummary]
    public init(telemetry: Telemetry, datasets: [DatasetSummary]) { self.telemetry = telemetry; self.datasets = datasets }
}

public struct HeartbeatAck: Codable, Sendable, Equatable {
    public var status: NodeStatus
    /// When the agent should send the next one.
    public var intervalSeconds: Double
    public init(status: NodeStatus, intervalSeconds: Double) { self.status = status; self.intervalSeconds = intervalSeconds }
}

/// A node as the dashboard and CLI list it.
public struct NodeView: Codable, Sendable, Equatable {
    public var id: UUID
    public var organisationId: UUID
    public var federationId: UUID
    public var hostname: String
    public var location: NodeLocation
    public var specs: NodeSpecs
    public var labels: [String: String]
    public var status: NodeStatus
    public var registeredAt: Date
    public var lastHeartbeatAt: Date?
    public var telemetry: Telemetry?
    public var datasets: [DatasetSummary]
    public var agentVersion: String
    public var signingPublicKey: String
    public var agreementPublicKey: String
    public init(id: UUID, organisationId: UUID, federationId: UUID, hostname: String, location: NodeLocation, specs: NodeSpecs,
                labels: [String: String], status: NodeStatus, registeredAt: Date, lastHeartbeatAt: Date?, telemetry: Telemetry?,
                datasets: [DatasetSummary], agentVersion: String, signingPublicKey: String, agreementPublicKey: String) {
        self.id = id; self.organisationId = organisationId; self.federationId = federationId; self.hostname = hostname
        self.location = location; self.specs = specs; self.labels = labels; self.status = status; self.registeredAt = registeredAt
        self.lastHeartbeatAt = lastHeartbeatAt; self.telemetry = telemetry; self.datasets = datasets; self.agentVersion = agentVersion
        self.signingPublicKey = signingPublicKey; self.agreementPublicKey = agreementPublicKey
    }
}

/// One point of a node's telemetry history: raw samples for the last hour, one-minute means
/// before that.
public struct TelemetryPoint: Codable, Sendable, Equatable {
    public var at: Date
    /// "raw" or "minute".
    public var resolution: String
    public var cpuPercent: Double
    public var memoryPercent: Double
    public var diskFreeBytes: Int64
    public var load1: Double
    public var gpuPercent: Double?
    public init(at: Date, resolution: String, cpuPercent: Double, memoryPercent: Double, diskFreeBytes: Int64, load1: Double, gpuPercent: Double?) {
        self.at = at; self.resolution = resolution; self.cpuPercent = cpuPercent; self.memoryPercent = memoryPercent
        self.diskFreeBytes = diskFreeBytes; self.load1 = load1; self.gpuPercent = gpuPercent
    }
}

/// Something that happened to a node: became inactive, came back, drained, failed.
public struct NodeEvent: Codable, Sendable, Equatable {
    public var at: Date
    public var kind: String
    public var detail: String
    public init(at: Date, kind: String, detail: String) { self.at = at; self.kind = kind; self.detail = detail }
}

public struct NodeDetail: Codable, Sendable, Equatable {
    public var node: NodeView
    public var history: [TelemetryPoint]
    public var events: [NodeEvent]
    public init(node: NodeView, history: [TelemetryPoint], events: [NodeEvent]) { self.node = node; self.history = history; self.events = events }
}

public struct NodeList: Codable, Sendable, Equatable {
    public var nodes: [NodeView]
    public init(nodes: [NodeView]) { self.nodes = nodes }
}

// MARK: tasks

/// What a task needs of the node that runs it.
public struct TaskRequirement: Sendable, Equatable, Codable {
    public var minimumVCPUs: Int
    public var minimumMemoryGB: Double
    public var minimumGPUs: Int
    public var minimumFreeDiskGB: Double
    /// A dataset the node must hold (by name), if the task trains or evaluates on one.
    public var dataset: String?
    /// 0…1.
    public var maximumCPUUtilisation: Double
    /// 0…1.
    public var maximumMemoryUtilisation: Double
    /// A node whose last heartbeat is older than this is not trusted with work.
    public var heartbeatFreshnessSeconds: Double

    public init(minimumVCPUs: Int = 1, minimumMemoryGB: Double = 1, minimumGPUs: Int = 0, minimumFreeDiskGB: Double = 1, dataset: String? = nil,
                maximumCPUUtilisation: Double = 0.9, maximumMemoryUtilisation: Double = 0.9, heartbeatFreshnessSeconds: Double = 30) {
        self.minimumVCPUs = minimumVCPUs
        self.minimumMemoryGB = minimumMemoryGB
        self.minimumGPUs = minimumGPUs
        self.minimumFreeDiskGB = minimumFreeDiskGB
        self.dataset = dataset
        self.maximumCPUUtilisation = maximumCPUUtilisation
        self.maximumMemoryUtilisation = maximumMemoryUtilisation
        self.heartbeatFreshnessSeconds = heartbeatFreshnessSeconds
    }

    enum CodingKeys: String, CodingKey {
        case minimumVCPUs, minimumMemoryGB, minimumGPUs, minimumFreeDiskGB, dataset, maximumCPUUtilisation, maximumMemoryUtilisation, heartbeatFreshnessSeconds
    }

    /// Every field may be left out; the defaults above apply.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TaskRequirement()
        self.init(
            minimumVCPUs: try c.decodeIfPresent(Int.self, forKey: .minimumVCPUs) ?? d.minimumVCPUs,
            minimumMemoryGB: try c.decodeIfPresent(Double.self, forKey: .minimumMemoryGB) ?? d.minimumMemoryGB,
            minimumGPUs: try c.decodeIfPresent(Int.self, forKey: .minimumGPUs) ?? d.minimumGPUs,
            minimumFreeDiskGB: try c.decodeIfPresent(Double.self, forKey: .minimumFreeDiskGB) ?? d.minimumFreeDiskGB,
            dataset: try c.decodeIfPresent(String.self, forKey: .dataset),
            maximumCPUUtilisation: try c.decodeIfPresent(Double.self, forKey: .maximumCPUUtilisation) ?? d.maximumCPUUtilisation,
            maximumMemoryUtilisation: try c.decodeIfPresent(Double.self, forKey: .maximumMemoryUtilisation) ?? d.maximumMemoryUtilisation,
            heartbeatFreshnessSeconds: try c.decodeIfPresent(Double.self, forKey: .heartbeatFreshnessSeconds) ?? d.heartbeatFreshnessSeconds)
    }
}

public enum TaskState: String, Codable, Sendable, CaseIterable {
    case pending, assigned, running, succeeded, failed, timedOut = "timed_out", cancelled

    public var isTerminal: Bool { [.succeeded, .failed, .timedOut, .cancelled].contains(self) }
}

/// How the orchestrator picks a node. `filtered` is the product; `random` (any node of the
/// participant, one attempt) exists only as the baseline the scenario test compares against.
public enum AssignmentPolicy: String, Codable, Sendable {
    case filtered, random
}

/// `POST /api/v1/tasks`: work for one participant organisation of a federation.
public struct NewTask: Codable, Sendable {
    public var federationId: UUID
    public var organisationId: UUID
    /// What the agent runs: "probe" now; "train" and "evaluate" with the training issue.
    public var kind: String
    public var parameters: [String: JSONValue]
    public var requirement: TaskRequirement
    public var maxAttempts: Int?
    public var leaseSeconds: Int?
    public var deadlineSeconds: Int?
    public var assignment: AssignmentPolicy?
    /// Free-form correlation (e.g. "job:…/round:3"), shown on the task.
    public var reference: String?
    public init(federationId: UUID, organisationId: UUID, kind: String, parameters: [String: JSONValue] = [:], requirement: TaskRequirement = .init(),
                maxAttempts: Int? = nil, leaseSeconds: Int? = nil, deadlineSeconds: Int? = nil, assignment: AssignmentPolicy? = nil, reference: String? = nil) {
        self.federationId = federationId; self.organisationId = organisationId; self.kind = kind; self.parameters = parameters
        self.requirement = requirement; self.maxAttempts = maxAttempts; self.leaseSeconds = leaseSeconds; self.deadlineSeconds = deadlineSeconds
        self.assignment = assignment; self.reference = reference
    }
}

/// One node's verdict in an assignment decision.
public struct NodeVerdict: Codable, Sendable, Equatable {
    public var nodeId: UUID
    public var hostname: String
    public var eligible: Bool
    /// Every reason it was refused, in words.
    public var reasons: [String]
    public init(nodeId: UUID, hostname: String, eligible: Bool, reasons: [String]) {
        self.nodeId = nodeId; self.hostname = hostname; self.eligible = eligible; self.reasons = reasons
    }
}

public struct TaskAttempt: Codable, Sendable, Equatable {
    public var attempt: Int
    /// Nil when no node was eligible.
    public var nodeId: UUID?
    public var decidedAt: Date
    public var endedAt: Date?
    /// "assigned", "running", "succeeded", "failed", "rejected", "lease_expired", "no_eligible_node", "cancelled", "timed_out".
    public var outcome: String
    public var reason: String?
    public var verdicts: [NodeVerdict]
    public init(attempt: Int, nodeId: UUID?, decidedAt: Date, endedAt: Date?, outcome: String, reason: String?, verdicts: [NodeVerdict]) {
        self.attempt = attempt; self.nodeId = nodeId; self.decidedAt = decidedAt; self.endedAt = endedAt; self.outcome = outcome
        self.reason = reason; self.verdicts = verdicts
    }
}

public struct TaskTransition: Codable, Sendable, Equatable {
    public var at: Date
    public var from: TaskState?
    public var to: TaskState
    public var nodeId: UUID?
    public var reason: String?
    public init(at: Date, from: TaskState?, to: TaskState, nodeId: UUID?, reason: String?) {
        self.at = at; self.from = from; self.to = to; self.nodeId = nodeId; self.reason = reason
    }
}

public struct TaskView: Codable, Sendable, Equatable {
    public var id: UUID
    public var federationId: UUID
    public var organisationId: UUID
    public var kind: String
    public var parameters: [String: JSONValue]
    public var requirement: TaskRequirement
    public var state: TaskState
    public var assignment: AssignmentPolicy
    public var attempt: Int
    public var maxAttempts: Int
    public var leaseSeconds: Int
    public var nodeId: UUID?
    public var progress: Double?
    public var result: [String: JSONValue]?
    public var error: String?
    public var reference: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var deadlineAt: Date
    public var attempts: [TaskAttempt]
    public var transitions: [TaskTransition]
    public init(id: UUID, federationId: UUID, organisationId: UUID, kind: String, parameters: [String: JSONValue], requirement: TaskRequirement,
                state: TaskState, assignment: AssignmentPolicy, attempt: Int, maxAttempts: Int, leaseSeconds: Int, nodeId: UUID?, progress: Double?,
                result: [String: JSONValue]?, error: String?, reference: String?, createdAt: Date, updatedAt: Date, deadlineAt: Date,
                attempts: [TaskAttempt], transitions: [TaskTransition]) {
        self.id = id; self.federationId = federationId; self.organisationId = organisationId; self.kind = kind; self.parameters = parameters
        self.requirement = requirement; self.state = state; self.assignment = assignment; self.attempt = attempt; self.maxAttempts = maxAttempts
        self.leaseSeconds = leaseSeconds; self.nodeId = nodeId; self.progress = progress; self.result = result; self.error = error
        self.reference = reference; self.createdAt = createdAt; self.updatedAt = updatedAt; self.deadlineAt = deadlineAt
        self.attempts = attempts; self.transitions = transitions
    }
}

public struct TaskList: Codable, Sendable, Equatable {
    public var tasks: [TaskView]
    public init(tasks: [TaskView]) { self.tasks = tasks }
}

/// What `GET /api/v1/agent/tasks/next` hands an agent. It starts the attempt's lease.
public struct TaskAssignment: Codable, Sendable, Equatable {
    public var taskId: UUID
    public var attempt: Int
    public var kind: String
    public var parameters: [String: JSONValue]
    public var requirement: TaskRequirement
    public var leaseSeconds: Int
    public init(taskId: UUID, attempt: Int, kind: String, parameters: [String: JSONValue], requirement: TaskRequirement, leaseSeconds: Int) {
        self.taskId = taskId; self.attempt = attempt; self.kind = kind; self.parameters = parameters; self.requirement = requirement
        self.leaseSeconds = leaseSeconds
    }
}

/// `POST /api/v1/agent/tasks/{id}/status`: progress (renews the lease), success, failure or
/// rejection of one attempt. `sequence` grows with every report of an attempt, so a replayed or
/// late report is recognised and ignored.
public struct TaskStatusReport: Codable, Sendable, Equatable {
    public enum Outcome: String, Codable, Sendable { case running, succeeded, failed, rejected }
    public var attempt: Int
    public var sequence: Int
    public var outcome: Outcome
    /// 0…1.
    public var progress: Double?
    public var result: [String: JSONValue]?
    public var message: String?
    public init(attempt: Int, sequence: Int, outcome: Outcome, progress: Double? = nil, result: [String: JSONValue]? = nil, message: String? = nil) {
        self.attempt = attempt; self.sequence = sequence; self.outcome = outcome; self.progress = progress; self.result = result; self.message = message
    }
}

public struct TaskStatusAck: Codable, Sendable, Equatable {
    /// False when the report was a replay, late, or for an attempt no longer current.
    public var applied: Bool
    public var state: TaskState
    /// Why it was ignored, when it was.
    public var reason: String?
    /// The agent should stop working on the task (cancelled, reassigned, timed out).
    public var stop: Bool
    public init(applied: Bool, state: TaskState, reason: String?, stop: Bool) { self.applied = applied; self.state = state; self.reason = reason; self.stop = stop }
}

/// Any JSON value, for task parameters and results whose shape depends on the task's kind.
public enum JSONValue: Codable, Sendable, Equatable, Hashable {
    case string(String), number(Double), bool(Bool), null, array([JSONValue]), object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .number(let n): try c.encode(n)
        case .bool(let b): try c.encode(b)
        case .null: try c.encodeNil()
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    public var number: Double? { if case .number(let n) = self { n } else { nil } }
    public var string: String? { if case .string(let s) = self { s } else { nil } }
}
