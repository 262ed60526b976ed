import CumulusKit
import Foundation

/// The placement service's own settings (prefix `CUMULUS_PLACEMENT_`), documented in deploy/README.md.
public struct PlacementSettings: Sendable {
    /// Price lists in the shared CSV format (`cloud_name,region_name,instance_type,vcpu_count,
    /// memory_gb,on_demand_price`). With `latencyFile`, they replace the built-in catalogue.
    public var priceFiles: [String] = []
    /// Latency measurements in the shared CSV format (`latency_results.csv`).
    public var latencyFile: String?
    /// Where the orchestrator answers `GET /api/v1/nodes` (its own URL or the gateway's). Without
    /// it, a placement request must list its participants.
    public var orchestratorURL: URL?
    /// Address the embedded aggregator endpoints listen on, and the host their URLs advertise.
    public var aggregatorHost = "127.0.0.1"
    public var aggregatorAdvertiseHost: String?
    /// Aggregator-hours are published in intervals of at least this while a deployment runs.
    public var meteringInterval: Duration = .seconds(60)
    /// The Terraform modules copied into each rendered deployment (deploy/terraform/modules).
    public var terraformModules = "deploy/terraform/modules"
    /// The terraform executable: a name looked up on PATH, or a path.
    public var terraformBinary = "terraform"
    /// Written into the rendered configuration: what the cloud aggregator downloads and runs,
    /// and where it finds the gateway. Empty values are left for the operator to fill in.
    public var aggregatorDownloadURL = ""
    public var aggregatorSHA256 = ""
    public var gatewayURL = ""

    public init() {}

    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PlacementSettings {
        let env = EnvironmentReader(servicePrefix: "CUMULUS_PLACEMENT_", values: environment)
        var settings = PlacementSettings()
        settings.priceFiles = (env.string("PRICE_FILES") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        settings.latencyFile = env.string("LATENCY_FILE")
        if settings.priceFiles.isEmpty != (settings.latencyFile == nil) {
            let missing = settings.priceFiles.isEmpty ? "CUMULUS_PLACEMENT_PRICE_FILES" : "CUMULUS_PLACEMENT_LATENCY_FILE"
            throw ConfigurationError(variable: missing, problem: "must be set together with \(missing == "CUMULUS_PLACEMENT_PRICE_FILES" ? "CUMULUS_PLACEMENT_LATENCY_FILE" : "CUMULUS_PLACEMENT_PRICE_FILES") (a catalogue needs prices and latencies)")
        }
        // Not the shared CUMULUS_ORCHESTRATOR_… prefix: only the service prefix is meaningful here.
        settings.orchestratorURL = try EnvironmentReader(servicePrefix: "CUMULUS_PLACEMENT_", sharedPrefix: "CUMULUS_PLACEMENT_", values: environment)
            .url("ORCHESTRATOR_URL", schemes: ["http", "https"])
        settings.aggregatorHost = env.string("AGGREGATOR_HOST", default: "127.0.0.1")
        settings.aggregatorAdvertiseHost = env.string("AGGREGATOR_ADVERTISE_HOST")
        settings.meteringInterval = .seconds(try env.integer("METERING_INTERVAL_SECONDS", default: 60, range: 1...3600))
        settings.terraformModules = env.string("TERRAFORM_MODULES", default: "deploy/terraform/modules")
        settings.terraformBinary = env.string("TERRAFORM_BIN", default: "terraform")
        settings.aggregatorDownloadURL = env.string("AGGREGATOR_DOWNLOAD_URL", default: "")
        settings.aggregatorSHA256 = env.string("AGGREGATOR_SHA256", default: "")
        settings.gatewayURL = env.string("PUBLIC_GATEWAY_URL", default: "")
        return settings
    }
}
