import CumulusKit
import Logging
import PostgresNIO

/// Background work starts with the server, while the shell may still be applying migrations;
/// it waits here until the schema is up to date instead of failing on missing tables.
actor SchemaGate {
    let migrations: MigrationRunner
    let postgres: PostgresClient
    let logger: Logger
    private var ready = false

    init(migrations: MigrationRunner, postgres: PostgresClient, logger: Logger) {
        self.migrations = migrations
        self.postgres = postgres
        self.logger = logger
    }

    func waitUntilReady() async throws {
        while !ready {
            if (try? await migrations.isUpToDate(on: postgres, logger: logger)) == true {
                ready = true
                return
            }
            try await Task.sleep(for: .milliseconds(250))
        }
    }
}
