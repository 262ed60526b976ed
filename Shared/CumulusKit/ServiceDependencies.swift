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

    /// Exactly-once effects for this service's stream consumers.
    public var processedMessages: ProcessedMessageLedger {
        ProcessedMessageLedger(client: postgres, schema: configuration.service.schema)
    }
}
