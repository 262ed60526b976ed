import CumulusKit
import PostgresNIO
import Testing

@Suite struct MigrationTests {
    static let migrations = [
        Migration("0001_create_ledger", "CREATE TABLE ledger (id serial PRIMARY KEY, note text NOT NULL);"),
        // Not idempotent on purpose: applied twice, it would leave two rows.
        Migration("0002_first_entry", "INSERT INTO ledger (note) VALUES ('first')", "INSERT INTO ledger (note) VALUES ('second')"),
        Migration("0003_index", "CREATE INDEX ledger_note ON ledger (note);"),
    ]

    @Test func twoRunnersAtOnceApplyEachMigrationExactlyOnce() async throws {
        let schema = TestEnvironment.uniqueName("mig")
        try await withPostgres(try TestEnvironment.superuserDatabase()) { client in
            try await client.query("CREATE SCHEMA \(unescaped: schema)")
            let runner = try MigrationRunner(schema: schema, migrations: Self.migrations)
            async let first = runner.run(on: client, logger: TestEnvironment.logger)
            async let second = runner.run(on: client, logger: TestEnvironment.logger)
            let applied = try await [first, second]
            #expect(applied.map(\.count).sorted() == [0, 4], "one runner applies all four (shell + three), the other none")

            let rows = try await client.query("SELECT count(*) FROM \(unescaped: schema).ledger")
            for try await count in rows.decode(Int.self) { #expect(count == 2) }
            let recorded = try await client.query("SELECT name FROM \(unescaped: schema).schema_migrations ORDER BY name")
            var names: [String] = []
            for try await name in recorded.decode(String.self) { names.append(name) }
            #expect(names == ["0000_shell_processed_messages", "0001_create_ledger", "0002_first_entry", "0003_index"])
            #expect(try await runner.isUpToDate(on: client, logger: TestEnvironment.logger))
            #expect(try await runner.run(on: client, logger: TestEnvironment.logger).isEmpty, "a third run finds nothing to do")
            try await client.query("DROP SCHEMA \(unescaped: schema) CASCADE")
        }
    }

    @Test func aFailingMigrationRollsBackTheWholeBatch() async throws {
        let schema = TestEnvironment.uniqueName("mig")
        try await withPostgres(try TestEnvironment.superuserDatabase()) { client in
            try await client.query("CREATE SCHEMA \(unescaped: schema)")
            let broken = try MigrationRunner(schema: schema, migrations: [
                Migration("0001_ok", "CREATE TABLE fine (id int);"),
                Migration("0002_broken", "CREATE TABLE fine (id int);"),
            ])
            await #expect(throws: (any Error).self) { try await broken.run(on: client, logger: TestEnvironment.logger) }
            let rows = try await client.query("SELECT count(*) FROM information_schema.tables WHERE table_schema = \(schema)")
            for try await count in rows.decode(Int.self) { #expect(count == 0, "nothing of the failed batch stays") }
            #expect(try await !broken.isUpToDate(on: client, logger: TestEnvironment.logger))
            try await client.query("DROP SCHEMA \(unescaped: schema) CASCADE")
        }
    }

    @Test func aMigrationUnknownToThisBuildIsRefused() async throws {
        let schema = TestEnvironment.uniqueName("mig")
        try await withPostgres(try TestEnvironment.superuserDatabase()) { client in
            try await client.query("CREATE SCHEMA \(unescaped: schema)")
            try await MigrationRunner(schema: schema, migrations: Self.migrations).run(on: client, logger: TestEnvironment.logger)
            let older = try MigrationRunner(schema: schema, migrations: Array(Self.migrations.prefix(1)))
            await #expect(throws: MigrationError.unknownAppliedMigration(schema: schema, name: "0002_first_entry")) {
                try await older.run(on: client, logger: TestEnvironment.logger)
            }
            try await client.query("DROP SCHEMA \(unescaped: schema) CASCADE")
        }
    }

    @Test func invalidSchemaNamesAndDuplicatesAreRefused() {
        #expect(throws: MigrationError.invalidSchemaName("Bad; DROP")) { try MigrationRunner(schema: "Bad; DROP", migrations: []) }
        #expect(throws: MigrationError.duplicateName("a")) { try MigrationRunner(schema: "ok", migrations: [Migration("a"), Migration("a")]) }
    }
}
