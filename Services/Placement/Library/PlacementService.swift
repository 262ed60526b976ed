import CumulusAPI
import CumulusKit
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// The placement service: where a federation's aggregator(s) should run (PlacementCore's exact
/// Pareto front for one aggregator, NSGA-II for a hierarchy), stored per federation, and the
/// deployments of chosen points (embedded endpoints here, or Terraform configuration per cloud),
/// with their aggregator-hours on the usage stream.
public enum PlacementService {
    public static let migrations: [Migration] = PlacementMigrations.all

    public static var openAPI: OpenAPIDocument {
        OpenAPIDocument(service: .placement, summary: "Cumulus placement: aggregator placement (exact Pareto fronts, NSGA-II) and deployments.",
                        paths: PlacementOpenAPI.paths, schemas: PlacementOpenAPI.schemas)
    }

    /// The service with its settings; the catalogue files, if configured, are read here, so a
    /// missing or unreadable one stops the service at start with its path.
    public static func definition(settings: PlacementSettings) throws -> ServiceDefinition {
        let source: any CatalogueSource
        if let latencyFile = settings.latencyFile {
            source = try CSVFileCatalogueSource(priceFiles: settings.priceFiles, latencyFile: latencyFile)
        } else {
            source = DefaultCatalogueSource()
        }
        return definition(settings: settings, catalogue: source)
    }

    public static func definition(settings: PlacementSettings, catalogue: any CatalogueSource) -> ServiceDefinition {
        let runtime = Runtime(settings: settings, catalogue: catalogue)
        return ServiceDefinition(
            service: .placement,
            openAPI: openAPI,
            migrations: migrations,
            addRoutes: { router, dependencies in
                let parts = runtime.parts(dependencies)
                PlacementController(store: parts.placements, catalogue: catalogue,
                                    participants: ParticipantResolver(orchestratorURL: settings.orchestratorURL, client: dependencies.internalClient,
                                                                      logger: dependencies.logger),
                                    logger: dependencies.logger).addRoutes(to: router)
                DeploymentController(placements: parts.placements, store: parts.deployments, manager: parts.manager).addRoutes(to: router)
            },
            backgroundServices: { dependencies in
                let parts = runtime.parts(dependencies)
                return [UsageMeter(store: parts.deployments, publisher: parts.usage, interval: settings.meteringInterval, logger: dependencies.logger)]
            },
            onStart: { dependencies in
                let loaded = try await catalogue.catalogue()
                var metadata: Logger.Metadata = ["source": "\(loaded.summary.source)", "offers": "\(loaded.summary.offers)",
                                                 "regions": "\(loaded.summary.pricedRegions)", "latencyPairs": "\(loaded.summary.latencyPairs)"]
                if let files = catalogue as? CSVFileCatalogueSource {
                    metadata["skippedRows"] = "\(files.issues.count)"
                    for issue in files.issues.prefix(20) { dependencies.logger.warning("catalogue row skipped", metadata: ["issue": "\(issue)"]) }
                }
                dependencies.logger.info("placement catalogue loaded", metadata: metadata)
                try await runtime.parts(dependencies).manager.resumeEmbedded()
            }
        )
    }

    /// The service's long-lived parts, built once from the dependencies the shell hands every hook.
    final class Runtime: Sendable {
        struct Parts: Sendable {
            let placements: PlacementStore
            let deployments: DeploymentStore
            let usage: UsagePublisher
            let manager: DeploymentManager
        }

        let settings: PlacementSettings
        let catalogue: any CatalogueSource
        private let built = BuiltOnce<Parts>()

        init(settings: PlacementSettings, catalogue: any CatalogueSource) {
            self.settings = settings
            self.catalogue = catalogue
        }

        func parts(_ dependencies: ServiceDependencies) -> Parts {
            built.get {
                let logger = dependencies.logger
                let deployments = DeploymentStore(postgres: dependencies.postgres, logger: logger)
                let usage = UsagePublisher(store: deployments, redis: dependencies.redis, logger: logger)
                let renderer = TerraformRenderer(modulesDirectory: settings.terraformModules, settings: .init(
                    aggregatorDownloadURL: settings.aggregatorDownloadURL, aggregatorSHA256: settings.aggregatorSHA256, gatewayURL: settings.gatewayURL))
                let provisioners: [ProvisionerKind: any Provisioner] = [
                    .embedded: EmbeddedProvisioner(host: settings.aggregatorHost, advertiseHost: settings.aggregatorAdvertiseHost, logger: logger),
                    .terraform: TerraformProvisioner(renderer: renderer, dataDirectory: dependencies.configuration.dataDirectory,
                                                     binary: settings.terraformBinary, logger: logger),
                ]
                let parts = Parts(
                    placements: PlacementStore(postgres: dependencies.postgres, logger: logger), deployments: deployments, usage: usage,
                    manager: DeploymentManager(store: deployments, provisioners: provisioners, usage: usage,
                                               audit: AuditPublisher(redis: dependencies.redis, service: "placement"), logger: logger))
                return parts
            }
        }
    }
}
