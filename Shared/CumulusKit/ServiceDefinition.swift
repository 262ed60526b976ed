import CumulusAPI
import Hummingbird
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

    public init(
        service: ServiceName,
        openAPI: OpenAPIDocument,
        migrations: [Migration] = [],
        addRoutes: @escaping @Sendable (Router<CumulusRequestContext>, ServiceDependencies) -> Void = { _, _ in },
        backgroundServices: @escaping @Sendable (ServiceDependencies) -> [any Service] = { _ in [] },
        onStart: @escaping @Sendable (ServiceDependencies) async throws -> Void = { _ in },
        tokenVerifier: (@Sendable (ServiceDependencies) -> (any AccessTokenVerifier)?)? = nil
    ) {
        self.service = service
        self.openAPI = openAPI
        self.migrations = migrations
        self.addRoutes = addRoutes
        self.backgroundServices = backgroundServices
        self.onStart = onStart
        self.tokenVerifier = tokenVerifier
    }
}
