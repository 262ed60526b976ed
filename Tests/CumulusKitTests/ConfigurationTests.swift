import CumulusAPI
import Testing

@testable import CumulusKit

@Suite struct ConfigurationTests {
    let valid = [
        "CUMULUS_DATABASE_URL": "postgres://cumulus_costs:s3cret@127.0.0.1:5432/cumulus",
        "CUMULUS_REDIS_URL": "redis://127.0.0.1:6379",
    ]

    @Test func readsSharedAndServiceSpecificVariables() throws {
        var environment = valid
        environment["CUMULUS_PORT"] = "9000"
        environment["CUMULUS_COSTS_PORT"] = "9100"
        let configuration = try ServiceConfiguration.fromEnvironment(.costs, environment: environment)
        #expect(configuration.port == 9100)
        #expect(configuration.database == DatabaseURL(host: "127.0.0.1", port: 5432, username: "cumulus_costs", password: "s3cret", database: "cumulus"))
        #expect(configuration.redis == RedisURL(host: "127.0.0.1", port: 6379))
        #expect(configuration.jwksURL == nil)
        #expect(configuration.logFormat == .json)
    }

    @Test func defaultsThePortPerService() throws {
        let configuration = try ServiceConfiguration.fromEnvironment(.registry, environment: valid)
        #expect(configuration.port == 8106)
        #expect(configuration.dataDirectory == ".data/registry")
    }

    @Test func missingDatabaseURLNamesTheVariable() {
        #expect(throws: ConfigurationError(variable: "CUMULUS_COSTS_DATABASE_URL", problem: "is required but not set (nor CUMULUS_DATABASE_URL)")) {
            try ServiceConfiguration.fromEnvironment(.costs, environment: ["CUMULUS_REDIS_URL": "redis://127.0.0.1:6379"])
        }
    }

    @Test func portOutOfRangeNamesTheVariableAndTheLimit() {
        var environment = valid
        environment["CUMULUS_GOVERNANCE_PORT"] = "70000"
        let error = #expect(throws: ConfigurationError.self) { try ServiceConfiguration.fromEnvironment(.governance, environment: environment) }
        #expect(error?.variable == "CUMULUS_GOVERNANCE_PORT")
        #expect(error?.description.contains("from 1 to 65535") == true)
    }

    @Test func malformedDatabaseURLDoesNotEchoThePassword() {
        var environment = valid
        environment["CUMULUS_DATABASE_URL"] = "mysql://root:hunter2@db/cumulus"
        let error = #expect(throws: ConfigurationError.self) { try ServiceConfiguration.fromEnvironment(.costs, environment: environment) }
        #expect(error?.variable == "CUMULUS_DATABASE_URL")
        #expect(error?.description.contains("hunter2") == false)
        #expect(error?.description.contains("scheme is 'mysql'") == true)
    }

    @Test func databaseURLNeedsARoleAndADatabase() {
        #expect(throws: ConfigurationError.self) { try DatabaseURL(parsing: "postgres://127.0.0.1:5432/cumulus") }
        #expect(throws: ConfigurationError.self) { try DatabaseURL(parsing: "postgres://me@127.0.0.1:5432/") }
    }

    @Test func percentEncodedPasswordsAreDecoded() throws {
        let url = try DatabaseURL(parsing: "postgres://me:p%40ss%2Fword@localhost/db")
        #expect(url.password == "p@ss/word")
        #expect(url.port == 5432)
    }

    @Test func badChoicesListTheAllowedValues() {
        var environment = valid
        environment["CUMULUS_LOG_LEVEL"] = "loud"
        let error = #expect(throws: ConfigurationError.self) { try ServiceConfiguration.fromEnvironment(.costs, environment: environment) }
        #expect(error?.variable == "CUMULUS_LOG_LEVEL")
        #expect(error?.description.contains("trace, debug, info") == true)
    }

    @Test func redisURLsMayNameADatabase() throws {
        #expect(try RedisURL(parsing: "redis://127.0.0.1:6380/3") == RedisURL(host: "127.0.0.1", port: 6380, database: 3))
        #expect(try RedisURL(parsing: "redis://127.0.0.1").database == 0)
        #expect(throws: ConfigurationError.self) { try RedisURL(parsing: "redis://127.0.0.1:6379/99") }
    }

    @Test func badRedisAndJWKSURLsAreRefused() {
        var environment = valid
        environment["CUMULUS_REDIS_URL"] = "http://127.0.0.1:6379"
        #expect(throws: ConfigurationError.self) { try ServiceConfiguration.fromEnvironment(.costs, environment: environment) }
        environment = valid
        environment["CUMULUS_JWKS_URL"] = "ftp://example/jwks"
        let error = #expect(throws: ConfigurationError.self) { try ServiceConfiguration.fromEnvironment(.costs, environment: environment) }
        #expect(error?.variable == "CUMULUS_JWKS_URL")
    }
}
