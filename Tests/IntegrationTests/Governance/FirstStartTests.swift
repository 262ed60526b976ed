import CumulusAPI
import Foundation
import PostgresNIO
import Testing

/// A governance started with no administrator in its environment creates none, prints a
/// one-time setup token instead, and that token creates the platform administrator once.
@Suite struct FirstStartTests {
    @Test func withoutAnAdministratorInTheEnvironmentASetupTokenIsPrinted() async throws {
        let superuser = try TestEnvironment.superuserDatabase()
        let database = "setup_" + TestEnvironment.uniqueName("db").suffix(12)
        let password = UUID().uuidString
        let role = "cumulus_governance_" + database.suffix(12)
        try await withPostgres(superuser) { client in
            try await client.query("CREATE ROLE \(unescaped: role) LOGIN PASSWORD '\(unescaped: password)'")
            try await client.query("CREATE DATABASE \(unescaped: database) OWNER \(unescaped: role)")
        }
        var own = superuser
        own.database = database
        try await withPostgres(own) { client in
            try await client.query("CREATE SCHEMA governance AUTHORIZATION \(unescaped: role)")
            try await client.query("ALTER ROLE \(unescaped: role) IN DATABASE \(unescaped: database) SET search_path = governance")
        }

        let port = Int.random(in: 42_000...48_000)
        let binary = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appending(path: ".build/debug/governance").path
        let log = FileManager.default.temporaryDirectory.appending(path: "governance-setup-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.environment = [
            "CUMULUS_GOVERNANCE_PORT": String(port),
            "CUMULUS_GOVERNANCE_DATABASE_URL": "postgres://\(role):\(password)@\(superuser.host):\(superuser.port)/\(database)",
            // Its own Redis database, so it does not join the running governance's audit consumers.
            "CUMULUS_REDIS_URL": "redis://\(try TestEnvironment.redis().host):\(try TestEnvironment.redis().port)/7",
            "CUMULUS_GOVERNANCE_SECRET_KEYS": "k1:" + Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString(),
            "CUMULUS_GOVERNANCE_BCRYPT_COST": "4",
            "PATH": "/usr/bin:/bin",
        ]
        process.standardError = try FileHandle(forWritingTo: log)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: log)
        }

        // The token appears in the structured log once the service has started.
        var token: String?
        for _ in 0..<300 where token == nil {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") where line.contains("setup_token") {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                token = object?["setup_token"] as? String
            }
            if token == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        let setupToken = try #require(token, "no setup token in the log: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        #expect(setupToken.hasPrefix("cst_"))

        let governance = GovernanceClient(base: "http://127.0.0.1:\(port)")
        for _ in 0..<100 {
            if (try? await HTTPTestClient.send(governance.base + "/readyz"))?.status == 200 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        // No default password: nobody can log in yet.
        #expect(try await governance.send(.POST, "/api/v1/auth/login", json: LoginRequest(email: "admin@example.org", password: "admin-admin-admin")).status == 401)
        let request = SetupRequest(token: setupToken, email: "root@example.org", password: GovernanceClient.password, displayName: "Root")
        #expect(try await governance.send(.POST, "/api/v1/auth/setup", json: request).status == 201)
        #expect(try await governance.send(.POST, "/api/v1/auth/setup", json: request).status == 401, "the token works once")
        let tokens = try await governance.login("root@example.org", GovernanceClient.password)
        let grants = try governance.decode(EffectivePermissions.self, try await governance.send(.GET, "/api/v1/auth/permissions", token: tokens.accessToken), expect: 200)
        #expect(grants.allows("orgs:create", in: .platform), "the first user is the platform administrator")
    }
}
