import Logging
import PostgresNIO

extension PostgresClient {
    /// A client for `url`, without TLS: the embedded default keeps the database on loopback.
    /// (A deployment that crosses a network sets up TLS here; see deploy/README.md.)
    public convenience init(url: DatabaseURL, applicationName: String, logger: Logger) {
        var configuration = PostgresClient.Configuration(
            host: url.host,
            port: url.port,
            username: url.username,
            password: url.password,
            database: url.database,
            tls: .disable
        )
        configuration.options.additionalStartupParameters = [("application_name", applicationName)]
        configuration.options.maximumConnections = 10
        self.init(configuration: configuration, backgroundLogger: logger)
    }
}
