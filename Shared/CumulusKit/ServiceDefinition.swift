import CumulusAPI
import Hummingbird
import Logging
import PostgresNIO
import Prometheus
import ServiceLifecycle

/// What makes one service different from the others. Everything else (configuration, logging,
/// metrics, health, migrations, authentication, Redis, PostgreSQL) comes from the shell.
public struct ServiceDefinition: Sendable {
    public var service: ServiceName
    public var openAPI: OpenAPIDocument
    public var migrations: [Migration]
    /// Adds the service's own routes.
    public var addRoutes: @Sendable (Router<CumulusRequestContext>, ServiceDependencies) -> Void
    /// Long-running work besides the HTTP server (stream consumers, schedulers).
    public var backgroundServices: @Sendable (ServiceDependencies) -> [any Service]
    /// Work after migrations and before the server accepts requests (seed data, first keys).
    public var onStart: @Sendable (ServiceDependencies) async throws -> Void
    /// How this service verifies bearer tokens; by default against governance's JWKS.
    public var tokenVerifier: (@Sendable (ServiceDependencies) -> (any AccessTokenVerifier)?)?
    /// High-rate routes whose successful answers are logged at debug (see HTTPMetricsMiddleware).
    public var quietRoutes: Set<String>

    public init(
        service: ServiceName,
        openAPI: OpenAPIDocument,
        migrations: [Migration] = [],
        addRoutes: @escaping @Sendable (Router<CumulusRequestContext>, ServiceDependencies) -> Void = { _, _ in },
        backgroundServices: @escaping @Sendable (ServiceDependencies) -> [any Service] = { _ in [] },
        onStart: @escaping @Sendable (ServiceDependencies) async throws -> Void = { _ in },
        tokenVerifier: (@Sendable (ServiceDependencies) -> (any AccessTokenVerifier)?)? = nil,
        quietRoutes: Set<String> = []
    ) {
        self.service = service
        self.openAPI = openAPI
        self.migrations = migrations
        self.addRoutes = addRoutes
        self.backgroundServices = backgroundServices
        self.onStart = onStart
        self.tokenVerifier = tokenVerifier
        self.quietRoutes = quietRoutes
    }
}

extension ServiceDefinition {
    /// The routes `addRoutes` registers, listed without connecting to anything (the clients are
    /// built, never run), so a test can check the OpenAPI document covers every one of them.
    public func registeredRoutes() throws -> [(method: String, path: String)] {
        let configuration = ServiceConfiguration(
            service: service,
            database: DatabaseURL(host: "127.0.0.1", port: 1, username: "unused", password: nil, database: "unused"),
            redis: RedisURL(host: "127.0.0.1", port: 1))
        let logger = Logger(label: "routes")
        let dependencies = ServiceDependencies(
            configuration: configuration, postgres: PostgresClient(url: configuration.database, applicationName: "routes", logger: logger),
            redis: RedisPool(url: configuration.redis), metrics: PrometheusCollectorRegistry(), internalClient: InternalClient(serviceToken: nil),
            migrations: try MigrationRunner(schema: service.schema, migrations: []), logger: logger)
        let router = Router(context: CumulusRequestContext.self)
        addRoutes(router, dependencies)
        return router.routes.map { (method: $0.method.rawValue, path: $0.path.description) }
    }
}
