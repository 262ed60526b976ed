import CumulusAPI
import Foundation
import Logging

/// Everything a service needs to start, read and validated once in `main`.
/// See deploy/README.md for the variables and their defaults.
public struct ServiceConfiguration: Sendable {
    public enum LogFormat: String, CaseIterable, Sendable {
        case json
        case text
    }

    public enum LogLevel: String, CaseIterable, Sendable {
        case trace, debug, info, notice, warning, error, critical

        var level: Logger.Level { Logger.Level(rawValue: rawValue)! }
    }

    public var service: ServiceName
    public var host: String
    public var port: Int
    public var database: DatabaseURL
    public var redis: RedisURL
    public var jwksURL: URL?
    /// Where governance answers what a caller may do; without it every permission is denied.
    public var governanceURL: URL?
    public var tokenIssuer: String
    public var serviceToken: String?
    /// The service's own account at governance (client credentials), for calls to other services.
    public var clientID: String?
    public var clientSecret: String?
    public var logLevel: Logger.Level
    public var logFormat: LogFormat
    public var dataDirectory: String

    public init(
        service: ServiceName,
        host: String = "127.0.0.1",
        port: Int? = nil,
        database: DatabaseURL,
        redis: RedisURL,
        jwksURL: URL? = nil,
        governanceURL: URL? = nil,
        tokenIssuer: String = "cumulus-governance",
        serviceToken: String? = nil,
        clientID: String? = nil,
        clientSecret: String? = nil,
        logLevel: Logger.Level = .info,
        logFormat: LogFormat = .json,
        dataDirectory: String? = nil
    ) {
        self.service = service
        self.host = host
        self.port = port ?? service.defaultPort
        self.database = database
        self.redis = redis
        self.jwksURL = jwksURL
        self.governanceURL = governanceURL
        self.tokenIssuer = tokenIssuer
        self.serviceToken = serviceToken
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.logLevel = logLevel
        self.logFormat = logFormat
        self.dataDirectory = dataDirectory ?? ".data/\(service.rawValue)"
    }

    /// Reads the configuration of `service` from the environment, failing with the first
    /// variable that is missing or malformed.
    public static func fromEnvironment(
        _ service: ServiceName,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ServiceConfiguration {
        let env = EnvironmentReader(servicePrefix: service.environmentPrefix, values: environment)
        let databaseName = env.names(for: "DATABASE_URL")[0]
        let redisName = env.names(for: "REDIS_URL")[0]
        return ServiceConfiguration(
            service: service,
            host: env.string("HOST", default: "127.0.0.1"),
            port: try env.integer("PORT", default: service.defaultPort, range: 1...65535),
            database: try DatabaseURL(parsing: try env.requiredString("DATABASE_URL"), variable: env.lookup("DATABASE_URL")?.name ?? databaseName),
            redis: try RedisURL(parsing: try env.requiredString("REDIS_URL"), variable: env.lookup("REDIS_URL")?.name ?? redisName),
            jwksURL: try env.url("JWKS_URL", schemes: ["http", "https"]),
            governanceURL: try env.url("GOVERNANCE_URL", schemes: ["http", "https"]),
            tokenIssuer: env.string("TOKEN_ISSUER", default: "cumulus-governance"),
            serviceToken: env.string("SERVICE_TOKEN"),
            // Only the service's own prefix: one service's secret must not become every service's.
            clientID: environment[service.environmentPrefix + "CLIENT_ID"],
            clientSecret: environment[service.environmentPrefix + "CLIENT_SECRET"],
            logLevel: try env.choice("LOG_LEVEL", default: LogLevel.info).level,
            logFormat: try env.choice("LOG_FORMAT", default: LogFormat.json),
            dataDirectory: env.string("DATA_DIR")
        )
    }
}
