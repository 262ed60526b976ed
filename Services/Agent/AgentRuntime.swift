import CumulusAPI
import CumulusClient
import Foundation

/// `cumulus-agent run`: registers, then heartbeats and takes tasks side by side until SIGTERM.
/// Gateway outages are ridden out with backoff; a revoked credential stops the agent with a
/// message, since retrying cannot fix it.
struct AgentRuntime: Sendable {
    let client: GatewayClient
    let registration: NodeRegistration
    let collector: TelemetryCollector
    let datasets: DatasetScanner
    let runners: [String: any TaskRunner]

    func run() async throws {
        try await register()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await heartbeats() }
            group.addTask { try await tasks() }
            try await group.next()
            group.cancelAll()
        }
    }

    func register() async throws {
        let node = try await withBackoff("registration") {
            try await client.send(.POST, "/api/v1/agent/register", body: registration, as: NodeView.self)
        }
        AgentLog.info("registered", ["node": node?.id.uuidString.lowercased() ?? "?", "status": node?.status.rawValue ?? "?",
                                     "vcpus": String(registration.specs.vcpus), "datasets": datasets.scan().map(\.name).joined(separator: ",")])
    }

    func heartbeats() async throws {
        var interval = 5.0
        while !Task.isCancelled {
            do {
                let beat = Heartbeat(telemetry: collector.measure(), datasets: datasets.scan())
                if let ack = try await client.send(.POST, "/api/v1/agent/heartbeat", body: beat, as: HeartbeatAck.self) {
                    interval = max(0.5, min(60, ack.intervalSeconds))
                }
            } catch let failure as GatewayClient.Failure where failure.status == 409 {
                try await register()
                continue
            } catch let failure as GatewayClient.Failure where failure.transient {
                AgentLog.warning("heartbeat failed; will retry", ["error": failure.description])
            }
            try await Task.sleep(for: .seconds(interval))
        }
    }

    func tasks() async throws {
        var delay = 0.5
        while !Task.isCancelled {
            let task: TaskAssignment?
            do {
                task = try await client.send(.GET, "/api/v1/agent/tasks/next?waitSeconds=20", body: Optional<String>.none, as: TaskAssignment.self,
                                             timeout: .seconds(40))
                delay = 0.5
            } catch let failure as GatewayClient.Failure where failure.status == 409 {
                try await register()
                continue
            } catch let failure as GatewayClient.Failure where failure.transient {
                AgentLog.warning("waiting for tasks failed; retrying", ["error": failure.description, "retryInSeconds": String(format: "%.1f", delay)])
                try await Task.sleep(for: .seconds(delay))
                delay = min(30, delay * 2)
                continue
            }
            if let task { try await execute(task) }
        }
    }

    func execute(_ task: TaskAssignment) async throws {
        let id = task.taskId.uuidString.lowercased()
        let reporter = StatusReporter(client: client, task: task)
        AgentLog.info("task received", ["task": id, "kind": task.kind, "attempt": String(task.attempt)])
        guard let runner = runners[task.kind] else {
            try await reporter.send(.rejected, message: "this agent cannot run '\(task.kind)' tasks (it runs \(runners.keys.sorted().joined(separator: ", ")))")
            return
        }
        if let refusal = Admission.refusal(task.requirement, specs: registration.specs, telemetry: collector.measure(), datasets: datasets.scan()) {
            AgentLog.warning("task rejected", ["task": id, "reason": refusal])
            try await reporter.send(.rejected, message: "the node no longer meets the requirement: \(refusal)")
            return
        }
        try await reporter.send(.running, progress: 0)
        do {
            let result = try await withThrowingTaskGroup(of: [String: JSONValue].self) { group in
                group.addTask { try await runner.run(task) { fraction in await reporter.progress(fraction) } }
                // Keeps the lease alive even when the runner reports no progress for a while.
                group.addTask {
                    while true {
                        try await Task.sleep(for: .seconds(max(1, Double(task.leaseSeconds) / 3)))
                        if await reporter.shouldStop { throw CancellationError() }
                        await reporter.progress(nil)
                    }
                }
                let result = try await group.next()!
                group.cancelAll()
                return result
            }
            try await reporter.send(.succeeded, result: result)
            AgentLog.info("task succeeded", ["task": id])
        } catch is CancellationError {
            // SIGTERM or the orchestrator said stop: say so, so the task moves on at once.
            if await !reporter.shouldStop { try? await reporter.send(.failed, message: "the agent is shutting down") }
            AgentLog.warning("task stopped", ["task": id])
            throw CancellationError()
        } catch {
            AgentLog.error("task failed", ["task": id, "error": "\(error)"])
            try await reporter.send(.failed, message: "\(error)")
        }
    }
}

/// Numbers an attempt's reports in order and throttles progress reports (each renews the lease).
actor StatusReporter {
    let client: GatewayClient
    let task: TaskAssignment
    private var sequence = 0
    private var lastSent = ContinuousClock.now
    private(set) var shouldStop = false

    init(client: GatewayClient, task: TaskAssignment) { self.client = client; self.task = task }

    func progress(_ fraction: Double?) async {
        let interval = max(0.5, Double(task.leaseSeconds) / 4)
        guard fraction == nil || ContinuousClock.now - lastSent >= .seconds(interval) else { return }
        do { try await send(.running, progress: fraction) } catch {
            AgentLog.warning("progress report failed", ["task": task.taskId.uuidString.lowercased(), "error": "\(error)"])
        }
    }

    func send(_ outcome: TaskStatusReport.Outcome, progress: Double? = nil, result: [String: JSONValue]? = nil, message: String? = nil) async throws {
        sequence += 1
        lastSent = .now
        let report = TaskStatusReport(attempt: task.attempt, sequence: sequence, outcome: outcome, progress: progress, result: result, message: message)
        let path = "/api/v1/agent/tasks/\(task.taskId.uuidString.lowercased())/status"
        let client = self.client
        let ack = try await withBackoff("status report") { try await client.send(.POST, path, body: report, as: TaskStatusAck.self) }
        if ack?.stop == true, outcome == .running {
            shouldStop = true
            AgentLog.warning("the orchestrator withdrew the task", ["task": task.taskId.uuidString.lowercased(), "reason": ack?.reason ?? ""])
        }
    }
}
