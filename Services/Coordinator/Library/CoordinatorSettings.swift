import CumulusKit
import Foundation

/// The coordinator's own settings (prefix `CUMULUS_COORDINATOR_`), documented in deploy/README.md.
public struct CoordinatorSettings: Sendable {
    /// Where the orchestrator, the registry and placement answer (service to service, not through nginx).
    public var orchestratorURL = URL(string: "http://127.0.0.1:8104")!
    public var registryURL = URL(string: "http://127.0.0.1:8106")!
    public var placementURL = URL(string: "http://127.0.0.1:8103")!
    /// Jobs running at once per federation; the rest wait in order.
    public var maxRunningJobsPerFederation = 1
    /// How often the leader looks at its jobs.
    public var tick: Duration = .milliseconds(500)

    public init() {}

    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> CoordinatorSettings {
        let env = EnvironmentReader(servicePrefix: "CUMULUS_COORDINATOR_", values: environment)
        var settings = CoordinatorSettings()
        if let url = try env.url("ORCHESTRATOR_URL", schemes: ["http", "https"]) { settings.orchestratorURL = url }
        if let url = try env.url("REGISTRY_URL", schemes: ["http", "https"]) { settings.registryURL = url }
        if let url = try env.url("PLACEMENT_URL", schemes: ["http", "https"]) { settings.placementURL = url }
        settings.maxRunningJobsPerFederation = try env.integer("MAX_RUNNING_JOBS_PER_FEDERATION", default: 1, range: 1...100)
        return settings
    }
}
