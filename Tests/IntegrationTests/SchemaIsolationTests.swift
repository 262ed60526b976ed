import CumulusAPI
import CumulusKit
import PostgresNIO
import Testing

/// Each service's role can use its own schema and nothing else.
@Suite struct SchemaIsolationTests {
    @Test func costsCannotReadGovernanceTables() async throws {
        try await withPostgres(try TestEnvironment.database(of: .costs)) { costs in
            // governance.schema_migrations exists: the running governance service created it.
            let error = await #expect(throws: PSQLError.self) {
                try await costs.query("SELECT count(*) FROM governance.schema_migrations")
            }
            #expect(error?.serverInfo?[.sqlState] == "42501", "insufficient_privilege, not 'does not exist'")
            // Its own schema works, unqualified, through the role's search_path.
            let rows = try await costs.query("SELECT count(*) FROM schema_migrations")
            for try await count in rows.decode(Int.self) { #expect(count >= 1) }
        }
    }

    @Test func everyRoleIsConfinedToItsOwnSchema() async throws {
        for service in ServiceName.allCases {
            try await withPostgres(try TestEnvironment.database(of: service)) { client in
                for other in ServiceName.allCases where other != service {
                    await #expect(throws: PSQLError.self, "\(service) must not read \(other)") {
                        try await client.query("SELECT 1 FROM \(unescaped: other.schema).schema_migrations LIMIT 1")
                    }
                    await #expect(throws: PSQLError.self, "\(service) must not create in \(other)") {
                        try await client.query("CREATE TABLE \(unescaped: other.schema).intruder (id int)")
                    }
                }
                await #expect(throws: PSQLError.self, "\(service) must not create in public") {
                    try await client.query("CREATE TABLE public.intruder (id int)")
                }
            }
        }
    }
}
