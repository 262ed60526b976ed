import AsyncHTTPClient
import CloudClients
import CostsCore
import CumulusAPI
import CumulusKit
import Foundation
import Hummingbird
import Logging
import PlacementCore
import ServiceLifecycle

/// The costs service: the price catalogue and latency matrix (seeded from PlacementCore's
/// default catalogue, imported from CSV, refreshed from the providers' live price APIs), usage
/// metering from the `cumulus.usage` stream priced exactly by CostsCore, cost per federation,
/// budgets whose thresholds fire once per period, the provider's own bill from AWS Cost
/// Explorer, and the estimate wizard.
public enum CostsService {
    public static let migrations: [Migration] = CostsMigrations.all

    public static func definition(settings: CostsSettings) -> ServiceDefinition {
        let runtime = Runtime(settings: settings)
        return ServiceDefinition(
            service: .costs,
            openAPI: OpenAPIDocument(service: .costs, summary: "Cumulus costs: price catalogue, latencies, metering, costs, budgets, billing and estimates.",
                                     paths: CostsOpenAPI.paths, schemas: CostsOpenAPI.schemas),
            migrations: migrations,
            addRoutes: { router, dependencies in
                let parts = runtime.parts(dependencies)
                CatalogueController(store: parts.catalogue, cache: parts.cache, adapters: parts.adapters, settings: settings).addRoutes(to: router)
                CostsController(metering: parts.metering, costExplorer: parts.costExplorer,
                                credentials: GovernanceCredentials(governanceURL: dependencies.configuration.governanceURL, client: dependencies.internalClient),
                                settings: settings).addRoutes(to: router)
                BudgetController(budgets: parts.budgets) { federation in
                    try? await parts.publishFirings()
                    try? await parts.refreshGauges(federation: federation)
                }.addRoutes(to: router)
                EstimateController(cache: parts.cache).addRoutes(to: router)
            },
            backgroundServices: { dependencies in
                let parts = runtime.parts(dependencies)
                let consumer = "costs-\(ProcessInfo.processInfo.processIdentifier)"
                return [
                    StreamConsumer(stream: UsageStream.name, group: UsageStream.costsGroup, consumer: consumer,
                                   connection: dependencies.redis.dedicatedConnection(label: "usage"), claimAfter: settings.claimAfter,
                                   logger: dependencies.logger) { message in
                        try await parts.meter(message)
                    },
                    CostsRefresher(runtime: parts, interval: settings.refreshInterval),
                ]
            },
            onStart: { dependencies in
                try await runtime.parts(dependencies).catalogue.seedIfEmpty()
            }
        )
    }

    /// The service's long-lived parts, built once from the dependencies the shell hands every hook.
    struct Parts: Sendable {
        let catalogue: CatalogueStore
        let cache: CatalogueCache
        let metering: MeteringStore
        let budgets: BudgetStore
        let adapters: [Provider: any LivePriceAdapter]
        let costExplorer: AWSCostExplorerClient
        let metrics: CostsMetrics
        let redis: RedisPool
        let audit: AuditPublisher
        let logger: Logger

        /// Prices one usage message and stores it; publishes any firing it caused.
        func meter(_ message: StreamMessage) async throws {
            let snapshot = try await cache.current()
            let recorded = try await metering.record(message, stream: UsageStream.name, group: UsageStream.costsGroup, snapshot: snapshot)
            metrics.usageEvent(kind: recorded.kind, outcome: recorded.outcome.rawValue)
            if recorded.firings > 0 { try await publishFirings() }
            if let federation = recorded.federation, recorded.outcome == .priced { try await refreshGauges(federation: federation) }
        }

        func publishFirings() async throws {
            for firing in try await budgets.publishPending(redis: redis, audit: audit) {
                metrics.crossings(1, percent: firing.percent)
            }
        }

        /// Sets the cost and budget gauges from the database: one federation's, or everyone's.
        func refreshGauges(federation: UUID?) async throws {
            for total in try await metering.totals(federation: federation) {
                metrics.cost(federation: total.federation, provider: total.provider, component: total.component, nanoDollars: total.nanoDollars)
            }
            let federations: [UUID]
            if let federation { federations = [federation] } else { federations = try await allBudgetFederations() }
            for federation in federations {
                for row in try await budgets.budgets(federation: federation) {
                    let spent = try await budgets.spent(federation: federation, window: row.period.window(containing: BudgetStore.today()))
                    metrics.budget(federation: federation, budget: row.id, spent: spent.nanoDollars, limit: row.limit)
                }
            }
        }

        private func allBudgetFederations() async throws -> [UUID] {
            var ids: [UUID] = []
            for try await id in try await budgets.postgres.query("SELECT DISTINCT federation_id FROM budgets", logger: logger).decode(UUID.self) {
                ids.append(id)
            }
            return ids
        }
    }

    final class Runtime: Sendable {
        let settings: CostsSettings
        private let built = BuiltOnce<Parts>()

        /// Calls to the providers: no redirects, no connection retries (see CloudClients). Lives
        /// as long as the process, like `HTTPClient.shared`, so it is never shut down.
        static let providerHTTPClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: CloudClients.recommendedHTTPConfiguration())

        init(settings: CostsSettings) { self.settings = settings }

        func parts(_ dependencies: ServiceDependencies) -> Parts {
            built.get {
                let logger = dependencies.logger
                let catalogue = CatalogueStore(postgres: dependencies.postgres, logger: logger)
                let budgets = BudgetStore(postgres: dependencies.postgres, logger: logger)
                let http = Self.providerHTTPClient
                let adapters: [Provider: any LivePriceAdapter] = [
                    .azure: AzureRetailPricesAdapter(client: AzureRetailPricesClient(http: http, endpoint: settings.azurePricesURL)),
                    .aws: AWSPriceListAdapter(client: AWSPriceListClient(http: http, endpoint: settings.awsPriceListURL)),
                    .gcp: GCPBillingCatalogAdapter(client: GCPBillingCatalogClient(http: http, endpoint: settings.gcpBillingURL, apiKey: settings.gcpAPIKey)),
                ]
                let parts = Parts(
                    catalogue: catalogue, cache: CatalogueCache(store: catalogue),
                    metering: MeteringStore(postgres: dependencies.postgres, ledger: dependencies.processedMessages, budgets: budgets, logger: logger),
                    budgets: budgets, adapters: adapters,
                    costExplorer: AWSCostExplorerClient(http: http, endpoint: settings.awsCostExplorerURL, region: settings.awsCostExplorerRegion),
                    metrics: CostsMetrics(registry: dependencies.metrics), redis: dependencies.redis,
                    audit: AuditPublisher(redis: dependencies.redis, service: "costs"),
                    logger: logger)
                return parts
            }
        }
    }
}
