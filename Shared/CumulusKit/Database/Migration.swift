import Logging
import PostgresNIO

/// One named step of a schema's history. Names are applied in the order given and recorded,
/// so a migration runs once per database however many replicas start.
public struct Migration: Sendable, Equatable {
    public let name: String
    /// The SQL statements, one per element (postgres-nio sends each as one extended-protocol
    /// query, which takes a single statement), run in order inside the migration's transaction
    /// with `search_path` set to the schema.
    public let statements: [String]

    public init(_ name: String, _ statements: String...) {
        self.name = name
        self.statements = statements
    }
}

public enum MigrationError: Error, CustomStringConvertible, Equatable {
    case invalidSchemaName(String)
    case duplicateName(String)
    case unknownAppliedMigration(schema: String, name: String)

    public var description: String {
        switch self {
        case .invalidSchemaName(let name): "schema name '\(name)' must be lower-case letters, digits and underscores"
        case .duplicateName(let name): "migration '\(name)' is listed twice"
        case .unknownAppliedMigration(let schema, let name):
            "schema \(schema) has migration '\(name)' applied, which this build does not know; is an older binary running against a newer database?"
        }
    }
}

/// Applies a schema's migrations. Everything happens in one transaction that first takes
/// `pg_advisory_xact_lock` on the schema's name: replicas starting together queue up, the first
/// applies what is missing, the others find it applied. A failure rolls the whole batch back.
public struct MigrationRunner: Sendable {
    public let schema: String
    public let migrations: [Migration]

    /// Every schema gets these first: the shell's own bookkeeping.
    public static let shellMigrations: [Migration] = [
        Migration("0000_shell_processed_messages", """
            CREATE TABLE processed_messages (
                stream text NOT NULL,
                consumer_group text NOT NULL,
                message_id text NOT NULL,
                processed_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (stream, consumer_group, message_id)
            );
            """)
    ]

    public init(schema: String, migrations: [Migration], includeShellMigrations: Bool = true) throws {
        guard !schema.isEmpty, schema.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }) else {
            throw MigrationError.invalidSchemaName(schema)
        }
        let all = (includeShellMigrations ? Self.shellMigrations : []) + migrations
        var seen: Set<String> = []
        for migration in all where !seen.insert(migration.name).inserted {
            throw MigrationError.duplicateName(migration.name)
        }
        self.schema = schema
        self.migrations = all
    }

    /// Applies what is missing and returns the names this call applied (empty when up to date).
    @discardableResult
    public func run(on client: PostgresClient, logger: Logger) async throws -> [String] {
        do {
            return try await apply(on: client, logger: logger)
        } catch let error as PostgresTransactionError where error.closureError != nil {
            throw error.closureError!  // the migration's own failure, not the transaction wrapper
        }
    }

    private func apply(on client: PostgresClient, logger: Logger) async throws -> [String] {
        let schema = self.schema
        let migrations = self.migrations
        return try await client.withTransaction(logger: logger) { connection in
            let lockKey = "cumulus.migrations.\(schema)"
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(lockKey)))", logger: logger)
            try await connection.query("SET LOCAL search_path TO \(unescaped: schema)", logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS \(unescaped: schema).schema_migrations (
                    name text PRIMARY KEY,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """, logger: logger)
            var applied: Set<String> = []
            for try await name in try await connection.query("SELECT name FROM \(unescaped: schema).schema_migrations", logger: logger).decode(String.self) {
                applied.insert(name)
            }
            let known = Set(migrations.map(\.name))
            if let stranger = applied.subtracting(known).sorted().first {
                throw MigrationError.unknownAppliedMigration(schema: schema, name: stranger)
            }
            var newlyApplied: [String] = []
            for migration in migrations where !applied.contains(migration.name) {
                logger.info("applying migration", metadata: ["schema": .string(schema), "migration": .string(migration.name)])
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO \(unescaped: schema).schema_migrations (name) VALUES (\(migration.name))", logger: logger)
                newlyApplied.append(migration.name)
            }
            return newlyApplied
        }
    }

    /// Whether every migration is recorded as applied (what `/readyz` reports).
    public func isUpToDate(on client: PostgresClient, logger: Logger) async throws -> Bool {
        let table = "\(schema).schema_migrations"
        for try await exists in try await client.query("SELECT to_regclass(\(table)) IS NOT NULL", logger: logger).decode(Bool.self) where !exists {
            return false
        }
        let rows = try await client.query(
            "SELECT count(*) FROM \(unescaped: schema).schema_migrations WHERE name = ANY(\(migrations.map(\.name)))",
            logger: logger
        )
        for try await count in rows.decode(Int.self) { return count == migrations.count }
        return false
    }
}
