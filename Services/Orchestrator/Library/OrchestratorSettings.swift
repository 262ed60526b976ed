import CumulusKit
import Foundation

/// The orchestrator's own settings (prefix `CUMULUS_ORCHESTRATOR_`), documented in deploy/README.md.
public struct OrchestratorSettings: Sendable {
    /// A node silent for longer than this becomes inactive.
    public var heartbeatTimeout: Duration = .seconds(30)
    /// How often agents are told to heartbeat (a third of the timeout, so two may be lost).
    public var heartbeatInterval: Duration { heartbeatTimeout / 3 }
    /// Defaults for tasks that do not say.
    public var defaultMaxAttempts = 5
    public var defaultLeaseSeconds = 30
    public var defaultDeadlineSeconds = 3600
    /// Backoff before attempt n+1 is `retryBackoff × 2^(n−1)`, capped at 30 s.
    public var retryBackoff: Duration = .seconds(1)
    /// Failed attempts in a row after which a node is marked failed.
    public var failuresBeforeFailed = 3
    /// How often health, leases, retries, metering and telemetry downsampling are swept.
    public var sweepInterval: Duration = .seconds(1)
    /// Node-hours are published in intervals of at least this.
    public var meteringInterval: Duration = .seconds(60)
    /// Heartbeat batches written at once (group commit; see HeartbeatWriter).
    public var heartbeatWriters = 2
    /// Raw telemetry samples kept this long; older ones become one-minute means.
    public var rawTelemetryRetention: Duration = .seconds(3600)
    /// One-minute means kept this long.
    public var minuteTelemetryRetention: Duration = .seconds(7 * 86_400)

    public init() {}

    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> OrchestratorSettings {
        let env = EnvironmentReader(servicePrefix: "CUMULUS_ORCHESTRATOR_", values: environment)
        var settings = OrchestratorSettings()
        settings.heartbeatTimeout = .seconds(try env.integer("HEARTBEAT_TIMEOUT_SECONDS", default: 30, range: 3...3600))
        settings.defaultMaxAttempts = try env.integer("TASK_MAX_ATTEMPTS", default: 5, range: 1...20)
        settings.defaultLeaseSeconds = try env.integer("TASK_LEASE_SECONDS", default: 30, range: 2...3600)
        settings.retryBackoff = .milliseconds(try env.integer("RETRY_BACKOFF_MILLISECONDS", default: 1000, range: 10...60_000))
        settings.failuresBeforeFailed = try env.integer("FAILURES_BEFORE_FAILED", default: 3, range: 1...100)
        settings.meteringInterval = .seconds(try env.integer("METERING_INTERVAL_SECONDS", default: 60, range: 5...3600))
        settings.heartbeatWriters = try env.integer("HEARTBEAT_WRITERS", default: 2, range: 1...8)
        return settings
    }

    /// Seconds to wait before attempt `attempt + 1`.
    func backoffSeconds(afterAttempt attempt: Int) -> Double {
        let base = Double(retryBackoff.components.seconds) + Double(retryBackoff.components.attoseconds) / 1e18
        return min(30, base * pow(2, Double(max(0, attempt - 1))))
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
