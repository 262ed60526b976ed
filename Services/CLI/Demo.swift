import ArgumentParser
import CumulusAPI
import CumulusClient
import FederatedCore
import Foundation

/// `cumulus demo digits`: the whole product on one machine, as the README's main command runs
/// it. Makes one organisation per participant and a federation between them, enrols and starts
/// a real `cumulus-agent` per shard, runs a job to completion with live progress, then scores the
/// final global model on the held-out test set and downloads the best version.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run a real federation on the digits shards made by examples/digits/prepare.py.",
                                                    subcommands: [Digits.self])

    struct Digits: AsyncParsableCommand {
        @Option(help: "The gateway's URL.") var gateway: String
        @Option(help: "A platform administrator's email.") var email: String
        @Option(help: "Their password (default: standard input).") var password: String?
        @Option var caFile: String?
        @Option(help: "The folder prepare.py wrote (participant-<i>/digits.csv and test.csv).") var data: String
        @Option(help: "Where agents keep their state and where the best model is written.") var work: String
        @Option var rounds = 20
        @Option(help: "fedavg, fedprox, fedadam, …") var strategy = "fedavg"
        @Flag(help: "Leave the agents running afterwards.") var keepAgents = false

        func run() async throws {
            let secret = password ?? readLine(strippingNewline: true) ?? ""
            let client = try GatewayClient(base: gateway, insecure: false, caFile: caFile)
            defer { Task { await client.shutdown() } }
            var agents: [Process] = []
            defer { if !keepAgents { for agent in agents where agent.isRunning { agent.terminate() } } }
            do {
                let shards = try FileManager.default.contentsOfDirectory(atPath: data).filter { $0.hasPrefix("participant-") }.sorted()
                guard !shards.isEmpty else { throw CLIError("no participant-<i> folders in \(data); run examples/digits/prepare.py first") }
                client.bearerToken = try await login(client, email, secret)
                print("→ \(shards.count) participants, one organisation each")
                let suffix = UUID().uuidString.prefix(6).lowercased()
                var admins: [(organisation: Organisation, token: String)] = []
                for index in shards.indices {
                    let adminEmail = "admin-\(index)-\(suffix)@participant-\(index).example"
                    let adminPassword = "demo-\(UUID().uuidString)"
                    let organisation = try await client.send(.POST, "/api/v1/orgs", body: NewOrganisation(
                        name: "participant-\(index)-\(suffix)", admin: NewUser(email: adminEmail, password: adminPassword, displayName: "Participant \(index)")),
                                                             as: Organisation.self)!
                    let participant = try GatewayClient(base: gateway, insecure: false, caFile: caFile)
                    defer { Task { await participant.shutdown() } }
                    admins.append((organisation, try await login(participant, adminEmail, adminPassword)))
                }
                let owner = try GatewayClient(base: gateway, insecure: false, caFile: caFile)
                defer { Task { await owner.shutdown() } }
                owner.bearerToken = admins[0].token
                let federation = try await owner.send(.POST, "/api/v1/federations", body: NewFederation(name: "digits-\(suffix)", ownerOrganisationId: admins[0].organisation.id),
                                                      as: Federation.self)!
                for guest in admins.dropFirst() {
                    _ = try await owner.send(.POST, "/api/v1/federations/\(federation.id)/invitations", body: Invitation(organisationId: guest.organisation.id), as: Federation.self)
                    let member = try GatewayClient(base: gateway, insecure: false, caFile: caFile)
                    defer { Task { await member.shutdown() } }
                    member.bearerToken = guest.token
                    _ = try await member.send(.POST, "/api/v1/federations/\(federation.id)/invitations/\(guest.organisation.id)/accept", body: Optional<String>.none, as: Federation.self)
                }
                print("→ federation \(federation.name) (\(federation.id.uuidString.lowercased()))")
                let agentBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().appending(path: "cumulus-agent").path
                for (index, shard) in shards.enumerated() {
                    let member = try GatewayClient(base: gateway, insecure: false, caFile: caFile)
                    defer { Task { await member.shutdown() } }
                    member.bearerToken = admins[index].token
                    let token = try await member.send(.POST, "/api/v1/federations/\(federation.id)/enrolment-tokens",
                                                      body: NewEnrolmentToken(organisationId: admins[index].organisation.id), as: EnrolmentTokenCreated.self)!
                    let state = work + "/agent-\(index)"
                    var arguments = ["enroll", "--gateway", gateway, "--token", token.token, "--state", state, "--hostname", "digits-\(index)",
                                     "--provider", "aws", "--region", ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-south-1"][index % 5], "--no-metadata"]
                    if let caFile { arguments += ["--ca-file", caFile] }
                    try runToEnd(agentBinary, arguments)
                    var run = ["run", "--data", data + "/" + shard, "--state", state]
                    if let caFile { run += ["--ca-file", caFile] }
                    agents.append(try start(agentBinary, run, log: work + "/agent-\(index).log"))
                }
                print("→ \(agents.count) agents started (logs in \(work)/agent-<i>.log); waiting for their heartbeats")
                try await waitFor(seconds: 120) {
                    let nodes = try await owner.send(.GET, "/api/v1/nodes?federationId=\(federation.id)", body: Optional<String>.none, as: NodeList.self)!.nodes
                    return nodes.filter { $0.status == .active && $0.datasets.contains { $0.name == "digits" } }.count == shards.count
                }
                let spec = NewJob(
                    federationId: federation.id, name: "digits-\(strategy)", model: ModelSpec(architecture: "mlp", inputs: 64, hiddenLayers: [32], classes: 10),
                    dataset: "digits", strategy: StrategySpec(name: strategy, hyperparameters: strategy == "fedprox" ? ["proximalMu": 0.01] : [:]), rounds: rounds,
                    fractionFit: 1, minFitClients: shards.count, minAvailableClients: shards.count, roundDeadlineSeconds: 120,
                    local: LocalTrainingSpec(epochs: 2, batchSize: 16, learningRate: 0.05, momentum: 0.9), evaluateEvery: 5, seed: 11)
                let job = try await owner.send(.POST, "/api/v1/jobs", body: spec, as: JobView.self)!
                print("→ job \(job.id.uuidString.lowercased()): \(strategy), \(rounds) rounds, MLP 64-32-10 on non-IID digits")
                let final = try await watchJob(owner, id: job.id.uuidString.lowercased())
                guard final.state == .succeeded, let hash = final.globalModelHash else { throw CLIError("the job ended \(final.state.rawValue): \(final.error ?? "")") }
                let test = try CSVDataset.load(try String(contentsOfFile: data + "/test.csv", encoding: .utf8), heldOutFraction: 0).train
                let model = try SafetensorsReader(requireFinite: true).read(try await owner.download("/api/v1/models/blobs/\(hash)"))
                let accuracy = try LocalTrainer(architecture: try .multilayerPerceptron(inputCount: 64, hiddenLayers: [32], classCount: 10)).evaluate(model: model, data: test).accuracy
                print(String(format: "→ final global model: accuracy %.2f %% on the %d held-out test images nobody trained on", accuracy * 100, test.exampleCount))
                let best = try await owner.send(.GET, "/api/v1/models/best?jobId=\(job.id)&metric=accuracy", body: Optional<String>.none, as: BestModel.self)!
                let path = work + "/best-model.safetensors"
                try Data(try await owner.download("/api/v1/models/blobs/\(best.version.sha256)")).write(to: URL(fileURLWithPath: path), options: .atomic)
                print("→ best version: round \(best.version.round) (\(best.reason)); downloaded to \(path)")
            } catch {
                let cli = CLIError.from(error)
                FileHandle.standardError.write(Data("cumulus: \(cli.description)\n".utf8))
                throw ExitCode(cli.code)
            }
        }

        func login(_ client: GatewayClient, _ email: String, _ password: String) async throws -> String {
            try await client.send(.POST, "/api/v1/auth/login", body: LoginRequest(email: email, password: password), as: TokenPair.self, authenticated: false)!.accessToken
        }

        func runToEnd(_ binary: String, _ arguments: [String]) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw CLIError("\(binary) \(arguments.first ?? "") failed with \(process.terminationStatus)") }
        }

        func start(_ binary: String, _ arguments: [String], log: String) throws -> Process {
            FileManager.default.createFile(atPath: log, contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments
            process.standardError = FileHandle(forWritingAtPath: log)
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            return process
        }

        func waitFor(seconds: Double, _ condition: () async throws -> Bool) async throws {
            let end = Date.now.addingTimeInterval(seconds)
            while Date.now < end {
                if try await condition() { return }
                try await Task.sleep(for: .milliseconds(500))
            }
            throw CLIError("timed out after \(Int(seconds)) s; see the agents' logs")
        }
    }
}
