import AsyncHTTPClient
import CumulusAPI
import Foundation
import Hummingbird
import Logging
import Metrics
import PostgresNIO
import Prometheus
import ServiceLifecycle

/// Builds and runs a Cumulus service from its definition. A service's `main` is one call:
/// `await ServiceShell.main(definition)`.
public enum ServiceShell {
    /// Reads the configuration, installs logging, builds the application and runs it until
    /// SIGTERM or SIGINT. A bad configuration prints the variable at fault and exits with 78
    /// (EX_CONFIG) before anything starts.
    public static func main(_ definition: ServiceDefinition) async {
        await main(definition.service) { definition }
    }

    /// As `main(_:)`, for a service with settings of its own: `makeDefinition` reads them and
    /// throws `ConfigurationError` for a bad one, which stops the service like the shell's own.
    public static func main(_ service: ServiceName, makeDefinition: () throws -> ServiceDefinition) async {
        let configuration: ServiceConfiguration
        let definition: ServiceDefinition
        do {
            configuration = try ServiceConfiguration.fromEnvironment(service)
            definition = try makeDefinition()
        } catch {
            FileHandle.standardError.write(Data("\(service.rawValue): \(error)\n".utf8))
            exit(78)
        }
        LoggingSystem.bootstrapCumulus(format: configuration.logFormat, level: configuration.logLevel)
        var logger = Logger(label: "cumulus.\(definition.service.rawValue)")
        logger[metadataKey: "service"] = .string(definition.service.rawValue)
        do {
            let verifier: (any AccessTokenVerifier)? = configuration.jwksURL.map {
                JWKSVerifier(url: $0, issuer: configuration.tokenIssuer, client: .shared)
            }
            // Libraries that report through swift-metrics land in the same /metrics output.
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            let app = try buildApplication(
                definition, configuration: configuration, verifier: verifier, policy: nil, metrics: registry, logger: logger)
            try await app.runService()
        } catch {
            logger.critical("service stopped", metadata: ["error": "\(error)"])
            exit(1)
        }
    }

    static func serviceTokens(_ configuration: ServiceConfiguration) -> ServiceTokenSource {
        if let governanceURL = configuration.governanceURL, let id = configuration.clientID, let secret = configuration.clientSecret {
            return ServiceTokenSource(governanceURL: governanceURL, clientID: id, clientSecret: secret)
        }
        return ServiceTokenSource(fixed: configuration.serviceToken)
    }

    /// The application for `definition`: router with the shell's middleware and endpoints, the
    /// service's routes, PostgreSQL and background services, and migrations before serving.
    public static func buildApplication(
        _ definition: ServiceDefinition,
        configuration: ServiceConfiguration,
        verifier: (any AccessTokenVerifier)?,
        policy explicitPolicy: (any AuthorizationPolicy)?,
        metrics registry: PrometheusCollectorRegistry = .init(),
        logger: Logger
    ) throws -> some ApplicationProtocol {
        let postgres = PostgresClient(url: configuration.database, applicationName: "cumulus-\(definition.service.rawValue)", logger: logger)
        let dependencies = ServiceDependencies(
            configuration: configuration,
            postgres: postgres,
            redis: RedisPool(url: configuration.redis),
            metrics: registry,
            internalClient: InternalClient(tokens: serviceTokens(configuration)),
            migrations: try MigrationRunner(schema: definition.service.schema, migrations: definition.migrations),
            logger: logger
        )

        let verifier = definition.tokenVerifier?(dependencies) ?? verifier
        // Governance answers `require(...)` for every other service; without its address, nothing is allowed.
        var policyServices: [any Service] = []
        let policy: any AuthorizationPolicy
        if let explicitPolicy {
            policy = explicitPolicy
        } else if let governanceURL = configuration.governanceURL, definition.service != .governance {
            let governancePolicy = GovernancePolicy(governanceURL: governanceURL, client: dependencies.internalClient)
            policyServices.append(RoleChangeListener(policy: governancePolicy, connection: dependencies.redis.dedicatedConnection(label: "roles"), logger: logger))
            policy = governancePolicy
        } else {
            policy = DenyAllPolicy()
        }
        let background = definition.backgroundServices(dependencies)
        // The queues this service reads are measured at every scrape (length, pending, oldest).
        let consumed = background.compactMap { $0 as? StreamConsumer }.map { StreamGroup(stream: $0.stream, group: $0.group) }
        let router = makeRouter(service: definition.service, metrics: registry, verifier: verifier, policy: policy, quietRoutes: definition.quietRoutes)
        HealthController(dependencies: dependencies, openAPI: definition.openAPI.yaml, consumedStreams: consumed).addRoutes(to: router)
        definition.addRoutes(router, dependencies)

        let startup = StartupGate()
        var app = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "cumulus-\(definition.service.rawValue)"),
            services: [postgres] + policyServices + background.map { AfterStartup(service: $0, gate: startup) },
            logger: logger
        )
        app.beforeServerStarts {
            try await migrateWhenDatabaseIsUp(dependencies)
            try await definition.onStart(dependencies)
            startup.open()
        }
        return app
    }

    /// A router with the shell's middleware, outermost first: request id, metrics and access log,
    /// problem+json mapping, authentication.
    public static func makeRouter(
        service: ServiceName,
        metrics: PrometheusCollectorRegistry,
        verifier: (any AccessTokenVerifier)?,
        policy: any AuthorizationPolicy,
        quietRoutes: Set<String> = []
    ) -> Router<CumulusRequestContext> {
        let router = Router(context: CumulusRequestContext.self)
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: HTTPMetricsMiddleware(metrics: HTTPMetrics(registry: metrics, service: service.rawValue), quietRoutes: quietRoutes))
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: AuthenticationMiddleware(verifier: verifier, policy: policy))
        return router
    }

    /// Applies the migrations, waiting up to a minute for the database to accept connections,
    /// so the suite can start in any order.
    static func migrateWhenDatabaseIsUp(_ dependencies: ServiceDependencies) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        var attempt = 0
        while true {
            attempt += 1
            do {
                let applied = try await dependencies.migrations.run(on: dependencies.postgres, logger: dependencies.logger)
                dependencies.logger.info("schema up to date", metadata: ["schema": .string(dependencies.migrations.schema), "applied": .string(applied.joined(separator: ","))])
                return
            } catch let error as MigrationError {
                throw error
            } catch let error as PSQLError where error.code == .server && !Self.databaseNotReady(error.serverInfo?[.sqlState]) {
                // The database answered and refused a statement: waiting will not change that.
                dependencies.logger.critical("a migration failed", metadata: ["error": "\(String(reflecting: error))"])
                throw error
            } catch {
                guard ContinuousClock.now < deadline else { throw error }
                dependencies.logger.warning("database not usable yet; retrying", metadata: ["attempt": "\(attempt)", "error": "\(String(reflecting: error))"])
                try await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// SQLSTATEs that mean the database is not ready for us yet (starting up, shutting down,
    /// connection trouble, the database or role not made yet), as opposed to a statement refused.
    static func databaseNotReady(_ state: String?) -> Bool {
        guard let state else { return true }
        return ["08", "57", "53", "3D", "28"].contains(String(state.prefix(2)))
    }
}
