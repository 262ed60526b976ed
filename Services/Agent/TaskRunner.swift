import AssignmentCore
import CumulusAPI
import CumulusClient
import Foundation

/// Runs one kind of task on the node. Training and evaluation runners arrive with the
/// federated-training issue; "probe" exercises the whole path now.
protocol TaskRunner: Sendable {
    var kind: String { get }
    /// Does the work, calling `progress` (0…1) as it goes; returns the result to report.
    func run(_ task: TaskAssignment, progress: @Sendable (Double) async -> Void) async throws -> [String: JSONValue]
}

/// Measures what the node can do: CPU (floating-point operations per second on one core),
/// memory bandwidth (touching a buffer), and the network to the gateway (round-trip time of a
/// small request and download throughput of the orchestrator's API document). Parameters:
/// `durationSeconds` (default 1, the CPU part's length) and `memoryMiB` (default 64).
struct ProbeRunner: TaskRunner {
    let gateway: GatewayClient
    var kind: String { "probe" }

    func run(_ task: TaskAssignment, progress: @Sendable (Double) async -> Void) async throws -> [String: JSONValue] {
        let duration = min(600, max(0.05, task.parameters["durationSeconds"]?.number ?? 1))
        let memoryMiB = Int(min(1024, max(1, task.parameters["memoryMiB"]?.number ?? 64)))
        // CPU: a dependent multiply-add chain in slices, reporting progress (which renews the lease).
        let clock = ContinuousClock()
        let start = clock.now
        var operations = 0.0
        var x = 1.0
        while clock.now - start < .seconds(duration) {
            for _ in 0..<200_000 { x = x * 1.000000001 + 1e-9 }
            operations += 400_000
            await progress(min(0.8, (clock.now - start).secondsValue / duration * 0.8))
            await Task.yield()
            try Task.checkCancellation()
        }
        let cpuSeconds = (clock.now - start).secondsValue
        // Memory: write then read a buffer.
        let count = memoryMiB << 20 / 8
        let memoryStart = clock.now
        var buffer = [Double](repeating: 0, count: count)
        for i in stride(from: 0, to: count, by: 8) { buffer[i] = Double(i) }
        let sum = buffer.reduce(0, +)
        let memorySeconds = max((clock.now - memoryStart).secondsValue, 1e-9)
        await progress(0.9)
        // Network: round trip and download through the gateway.
        let rttStart = clock.now
        _ = try await gateway.send(.GET, "/api/v1/orchestrator/healthz", body: Optional<String>.none, as: HealthReport.self, authenticated: false)
        let rtt = (clock.now - rttStart).secondsValue
        var downloaded = 0
        let downloadStart = clock.now
        for _ in 0..<3 {
            downloaded += try await gateway.raw("/api/v1/orchestrator/openapi.yaml")
        }
        let downloadSeconds = max((clock.now - downloadStart).secondsValue, 1e-9)
        return [
            "cpuOperationsPerSecond": .number((operations / cpuSeconds).rounded()),
            "memoryBandwidthMiBPerSecond": .number((Double(memoryMiB * 2) / memorySeconds).rounded()),
            "gatewayRoundTripMilliseconds": .number((rtt * 1000 * 100).rounded() / 100),
            "gatewayDownloadMiBPerSecond": .number((Double(downloaded) / 1_048_576 / downloadSeconds * 100).rounded() / 100),
            "checksum": .number(sum.isFinite ? (x.isFinite ? 1 : 0) : 0),
        ]
    }
}

extension Duration {
    var secondsValue: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// Before running a task the agent checks it against what it measures now: the orchestrator
/// decided on telemetry a few seconds old, and a node that became too busy or too full says no
/// (with every reason) rather than fail halfway.
enum Admission {
    static func refusal(_ requirement: TaskRequirement, specs: NodeSpecs, telemetry: Telemetry, datasets: [DatasetSummary]) -> String? {
        let gib = Double(1 << 30)
        let me = UUID()
        let snapshot = NodeSnapshot(
            id: me, organisation: me, status: .active, lastHeartbeat: .now, vcpus: specs.vcpus, memoryGB: Double(specs.memoryBytes) / gib,
            gpus: specs.gpus.count, freeDiskGB: Double(telemetry.diskFreeBytes) / gib, cpuUtilisation: telemetry.cpuPercent / 100,
            memoryUtilisation: telemetry.memoryPercent / 100, datasets: Set(datasets.map(\.name)))
        let verdict = Assignment.verdict(snapshot, for: requirement, organisation: me, now: .now)
        return verdict.eligible ? nil : verdict.reasons.map(\.description).joined(separator: "; ")
    }
}
