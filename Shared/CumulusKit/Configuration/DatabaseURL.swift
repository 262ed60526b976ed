import Foundation

/// A parsed `postgres://ROLE:PASSWORD@HOST:PORT/DATABASE` address.
public struct DatabaseURL: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String

    public init(host: String, port: Int = 5432, username: String, password: String?, database: String) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
    }

    public init(parsing text: String, variable: String = "DATABASE_URL") throws {
        func fail(_ why: String) -> ConfigurationError {
            // Never echo the URL: it carries a password.
            ConfigurationError(variable: variable, problem: "must look like postgres://ROLE:PASSWORD@HOST:PORT/DATABASE (\(why))")
        }
        guard let parts = URLComponents(string: text), let scheme = parts.scheme?.lowercased() else { throw fail("not a URL") }
        guard scheme == "postgres" || scheme == "postgresql" else { throw fail("scheme is '\(scheme)'") }
        guard let host = parts.host, !host.isEmpty else { throw fail("no host") }
        guard let user = parts.percentEncodedUser?.removingPercentEncoding, !user.isEmpty else { throw fail("no role") }
        let database = String(parts.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else { throw fail("no database name") }
        let port = parts.port ?? 5432
        guard (1...65535).contains(port) else { throw fail("port out of range") }
        self.init(
            host: host,
            port: port,
            username: user,
            password: parts.percentEncodedPassword?.removingPercentEncoding,
            database: database
        )
    }
}

/// A parsed `redis://HOST:PORT[/DB]` address.
public struct RedisURL: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// The logical database (SELECT); 0 unless the path names another.
    public var database: Int

    public init(host: String, port: Int = 6379, database: Int = 0) {
        self.host = host
        self.port = port
        self.database = database
    }

    public init(parsing text: String, variable: String = "REDIS_URL") throws {
        guard let parts = URLComponents(string: text), parts.scheme?.lowercased() == "redis",
              let host = parts.host, !host.isEmpty
        else {
            throw ConfigurationError(variable: variable, problem: "must look like redis://HOST:PORT[/DB], got '\(text)'")
        }
        let port = parts.port ?? 6379
        guard (1...65535).contains(port) else {
            throw ConfigurationError(variable: variable, problem: "port must be from 1 to 65535, got \(port)")
        }
        let path = parts.path.drop(while: { $0 == "/" })
        guard path.isEmpty || (Int(path).map { (0...15).contains($0) } ?? false) else {
            throw ConfigurationError(variable: variable, problem: "the database after the port must be a number from 0 to 15, got '\(path)'")
        }
        self.init(host: host, port: port, database: Int(path) ?? 0)
    }
}
