import CumulusKit
import Foundation

/// The costs service's own settings (prefix `CUMULUS_COSTS_`), documented in deploy/README.md.
public struct CostsSettings: Sendable {
    /// Azure Retail Prices API.
    public var azurePricesURL = "https://prices.azure.com/api/retail/prices"
    /// Base of the AWS Price List bulk API (`/offers/v1.0/aws/AmazonEC2/current/{region}/index.json` is appended).
    public var awsPriceListURL = "https://pricing.us-east-1.amazonaws.com"
    /// Cloud Billing Catalog API base, and the API key it is called with (none: no `key=`).
    public var gcpBillingURL = "https://cloudbilling.googleapis.com"
    public var gcpAPIKey: String?
    /// AWS Cost Explorer endpoint and the region of its signature.
    public var awsCostExplorerURL = "https://ce.us-east-1.amazonaws.com"
    public var awsCostExplorerRegion = "us-east-1"
    /// The cost-allocation tag whose value is a federation's id on cloud resources.
    public var federationTagKey = "cumulus:federation"
    /// Largest CSV accepted by the import endpoints.
    public var maxImportBytes = 16 << 20
    /// How often budget gauges and cost totals are refreshed from the database, and unpublished
    /// budget firings retried.
    public var refreshInterval: Duration = .seconds(15)
    /// Stream consumers take over messages left unacknowledged this long by a dead consumer.
    public var claimAfter: Duration = .seconds(30)

    public init() {}

    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> CostsSettings {
        let env = EnvironmentReader(servicePrefix: "CUMULUS_COSTS_", values: environment)
        var settings = CostsSettings()
        let web: Set<String> = ["http", "https"]
        if let url = try env.url("AZURE_PRICES_URL", schemes: web) { settings.azurePricesURL = url.absoluteString }
        if let url = try env.url("AWS_PRICE_LIST_URL", schemes: web) { settings.awsPriceListURL = url.absoluteString }
        if let url = try env.url("GCP_BILLING_URL", schemes: web) { settings.gcpBillingURL = url.absoluteString }
        settings.gcpAPIKey = env.string("GCP_API_KEY")
        if let url = try env.url("AWS_COST_EXPLORER_URL", schemes: web) { settings.awsCostExplorerURL = url.absoluteString }
        settings.awsCostExplorerRegion = env.string("AWS_COST_EXPLORER_REGION", default: "us-east-1")
        settings.federationTagKey = env.string("FEDERATION_TAG_KEY", default: "cumulus:federation")
        settings.maxImportBytes = try env.integer("MAX_IMPORT_MEGABYTES", default: 16, range: 1...1024) << 20
        settings.refreshInterval = .seconds(try env.integer("REFRESH_INTERVAL_SECONDS", default: 15, range: 1...3600))
        return settings
    }
}
