import Logging
import PostgresNIO
import Prometheus

/// The long-lived things a service's routes and background work are given. Built once by the
/// shell; handlers receive them through their initialisers, never through globals.
public struct ServiceDependencies: Sendable {
    public let configuration: ServiceConfiguration
    public let postgres: PostgresClient
    public let redis: RedisPool
    public let metrics: PrometheusCollectorRegistry
    public let internalClient: InternalClient
    public let migrations: MigrationRunner
    public let logger: Logger

    public init(configuration: ServiceConfiguration, postgres: PostgresClient, redis: RedisPool, metrics: PrometheusCollectorRegistry,
                internalClient: InternalClient, migrations: MigrationRunner, logger: Logger) {
        self.configuration = configuration
        self.postgres = postgres
        self.redis = redis
        self.metrics = metrics
        self.internalClient = internalClient
        self.migrations = migrations
        self.logger = logger
    }

    /// Exactly-once effects for this service's stream consumers.
    public var processedMessages: ProcessedMessageLedger {
        ProcessedMessageLedger(client: postgres, schema: configuration.service.schema)
    }
}
