import CumulusAPI
import Foundation
import Testing

/// The `cumulus` binary against the running suite: login with an owner-only session file, each
/// listing as a table and as JSON, YAML specs for jobs and placements, and exit codes a script
/// can trust (2 usage or login, 3 not found, 4 refused), each with a next step in words.
@Suite struct CLITests {
    struct CLI {
        let session: String
        let folder: URL

        static let binary = (ProcessInfo.processInfo.environment["CUMULUS_TEST_BIN_DIR"] ?? ".build/debug") + "/cumulus"

        func run(_ arguments: String...) async throws -> ProcessRunner.Outcome {
            var environment = ProcessInfo.processInfo.environment
            environment["CUMULUS_SESSION"] = session
            return try await ProcessRunner.run(Self.binary, arguments, environment: environment)
        }

        func json<T: Decodable>(_ type: T.Type, _ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) async throws -> T {
            var environment = ProcessInfo.processInfo.environment
            environment["CUMULUS_SESSION"] = session
            let outcome = try await ProcessRunner.run(Self.binary, arguments + ["--output", "json"], environment: environment)
            #expect(outcome.status == 0, "\(arguments): \(outcome.standardError)", sourceLocation: sourceLocation)
            return try GovernanceClient.decoder.decode(T.self, from: Data(outcome.standardOutput.utf8))
        }

        func write(_ name: String, _ text: String) throws -> String {
            let url = folder.appending(path: name)
            try Data(text.utf8).write(to: url)
            return url.path
        }

        static func make(_ label: String) throws -> CLI {
            let folder = FileManager.default.temporaryDirectory.appending(path: "cumulus-cli-\(label)-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            return CLI(session: folder.appending(path: "session.json").path, folder: folder)
        }

        func login(_ email: String, _ password: String) async throws {
            let outcome = try await run("login", "--gateway", try TestEnvironment.gateway(), "--email", email, "--password", password,
                                        "--ca-file", try TestEnvironment.value("CUMULUS_TEST_GATEWAY_CA"))
            #expect(outcome.status == 0, "\(outcome.standardError)")
        }
    }

    @Test func theCommandLineCoversFederationsPlacementJobsCostsAndApprovals() async throws {
        let fixture = try await FederationFixture.make("cli", participants: 1)
        let owner = fixture.participants[0]
        let federation = fixture.federation.id.uuidString.lowercased()
        let cli = try CLI.make("owner")

        // Before login: told what to do, exit 2.
        let anonymous = try await cli.run("federations", "list")
        #expect(anonymous.status == 2 && anonymous.standardError.contains("cumulus login"), "\(anonymous.standardError)")
        try await cli.login(owner.adminEmail, GovernanceClient.password)
        let mode = try FileManager.default.attributesOfItem(atPath: cli.session)[.posixPermissions] as? Int
        #expect(mode == 0o600, "the session file is the user's alone")

        let federations = try await cli.json([Federation].self, "federations", "list")
        #expect(federations.map(\.id) == [fixture.federation.id])
        #expect(try await cli.run("federations", "list").standardOutput.contains(fixture.federation.name))
        let missing = try await cli.run("federations", "show", UUID().uuidString)
        #expect(missing.status == 3 && missing.standardError.contains("check the id"), "\(missing.standardError)")

        // Placement from YAML: the front as a table with the named points, and as JSON.
        let placementSpec = try cli.write("placement.yaml", """
            federationId: \(federation)
            participants:
              - {provider: aws, region: us-east-1}
              - {provider: aws, region: eu-central-1, count: 2}
              - {provider: gcp, region: europe-west4}
            modelBytes: 100000000
            rounds: 500
            roundIntervalSeconds: 3600
            constraints: {minVCPU: 2, minMemoryGB: 8}
            preference: 0.5
            """)
        let table = try await cli.run("placement", "request", "--file", placementSpec)
        #expect(table.status == 0, "\(table.standardError)")
        for word in ["USD/MONTH", "recommended", "knee", "baselines", "cheapest"] { #expect(table.standardOutput.contains(word), "\(word) in \(table.standardOutput)") }
        let placement = try await cli.json(PlacementView.self, "placement", "request", "--file", placementSpec)
        #expect(!placement.front.isEmpty && placement.front.contains { $0.frontIndex == placement.recommended?.frontIndex })
        #expect(try await cli.json(PlacementView.self, "placement", "show", placement.id.uuidString).id == placement.id)

        // Jobs from YAML: a wrong type is refused before anything is sent, naming the field.
        let badJob = try cli.write("bad.yaml", "federationId: \(federation)\nname: x\nrounds: many\n")
        let refused = try await cli.run("jobs", "create", "--file", badJob)
        #expect(refused.status == 2 && refused.standardError.contains("model is missing"), "\(refused.standardError)")
        let wrongRounds = try cli.write("rounds.yaml", """
            federationId: \(federation)
            name: cli-job
            model: {architecture: logistic, inputs: 4, hiddenLayers: [], classes: 3}
            dataset: digits
            strategy: {name: fedavg, hyperparameters: {}}
            rounds: many
            fractionFit: 1
            minFitClients: 1
            minAvailableClients: 1
            roundDeadlineSeconds: 60
            local: {epochs: 1, batchSize: 16, learningRate: 0.05, momentum: 0, weightDecay: 0}
            evaluateEvery: 0
            seed: 3
            """)
        let typeRefused = try await cli.run("jobs", "create", "--file", wrongRounds)
        #expect(typeRefused.status == 2 && typeRefused.standardError.contains("rounds must be"), "\(typeRefused.standardError)")
        let jobSpec = try cli.write("job.yml", try String(contentsOfFile: wrongRounds, encoding: .utf8).replacingOccurrences(of: "rounds: many", with: "rounds: 2"))
        let job = try await cli.json(JobView.self, "jobs", "create", "--file", jobSpec)
        #expect(job.spec.rounds == 2 && job.name == "cli-job")
        #expect(try await cli.json([JobView].self, "jobs", "list", "--federation", federation).map(\.id).contains(job.id))
        _ = try await fixture.gateway.send(.POST, "/api/v1/jobs/\(job.id)/cancel", token: owner.adminToken)

        // Costs and budgets.
        let report = try await cli.json(CostReport.self, "costs", "show", "--federation", federation, "--from", "2025-01-01", "--to", "2025-01-31")
        #expect(report.from == "2025-01-01" && report.to == "2025-01-31" && report.total.nanoDollars == 0)
        _ = try fixture.gateway.decode(BudgetView.self, try await fixture.gateway.send(
            .POST, "/api/v1/budgets", token: owner.adminToken, json: NewBudget(federationId: fixture.federation.id, limitUSD: "42.50")), expect: 201)
        let budgets = try await cli.run("costs", "budgets", "--federation", federation)
        #expect(budgets.status == 0 && budgets.standardOutput.contains("42.5") && budgets.standardOutput.contains("50% 80% 100%"), "\(budgets.standardOutput)")
        let badDay = try await cli.run("costs", "show", "--federation", federation, "--from", "yesterday")
        #expect(badDay.status == 2 && badDay.standardError.contains("from"), "\(badDay.standardError)")

        // Approvals: nobody decides their own request (4, refused); another person does.
        let opened = try fixture.gateway.decode(Approval.self, try await fixture.gateway.send(
            .POST, "/api/v1/approvals", token: owner.adminToken,
            json: NewApproval(action: "cli.test", permission: "federations:delete", scope: .federation(fixture.federation.id), summary: "a test request",
                              payload: [:])), expect: 201)
        let pending = try await cli.json([Approval].self, "approvals", "list", "--status", "pending")
        #expect(pending.map(\.id).contains(opened.id))
        let own = try await cli.run("approvals", "approve", opened.id.uuidString)
        #expect(own.status == 4 && own.standardError.contains("another user"), "\(own.standardError)")
        let platform = try CLI.make("platform")
        try await platform.login(try TestEnvironment.value("CUMULUS_TEST_ADMIN_EMAIL"), try TestEnvironment.value("CUMULUS_TEST_ADMIN_PASSWORD"))
        let rejected = try await platform.json(Approval.self, "approvals", "reject", opened.id.uuidString, "--reason", "not now")
        #expect(rejected.status == "rejected" && rejected.reason == "not now")
        try? FileManager.default.removeItem(at: cli.folder)
        try? FileManager.default.removeItem(at: platform.folder)
    }
}
