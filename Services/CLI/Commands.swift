import ArgumentParser
import Crypto
import CumulusAPI
import CumulusClient
import FederatedCore
import Foundation

struct Login: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Log in and keep the session (owner-only file).")
    @Option(help: "The gateway's URL, e.g. https://cumulus.example.org") var gateway: String
    @Option var email: String
    @Option(help: "The password (default: read from standard input, so it stays out of the shell's history).") var password: String?
    @Option(help: "A PEM file with the gateway's CA or self-signed certificate.") var caFile: String?
    @Flag(help: "Accept the gateway's certificate without checking it (test installs only).") var insecure = false

    func run() async throws {
        let secret = password ?? readLine(strippingNewline: true) ?? ""
        let client = try GatewayClient(base: gateway, insecure: insecure, caFile: caFile)
        defer { Task { await client.shutdown() } }
        do {
            guard let pair = try await client.send(.POST, "/api/v1/auth/login", body: LoginRequest(email: email, password: secret), as: TokenPair.self,
                                                   authenticated: false) else { throw CLIError("the gateway answered without tokens") }
            try Session(gateway: gateway, accessToken: pair.accessToken, refreshToken: pair.refreshToken, caFile: caFile.map { URL(fileURLWithPath: $0).path },
                        insecure: insecure).save()
            print("logged in as \(email); session in \(Session.file.path)")
        } catch {
            let cli = CLIError.from(error)
            FileHandle.standardError.write(Data("cumulus: \(cli.description)\n".utf8))
            throw ExitCode(cli.code)
        }
    }
}

struct Jobs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create, list, show and watch training jobs.",
                                                    subcommands: [Create.self, List.self, Show.self, Watch.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a job from a YAML or JSON spec (see `NewJob` in the coordinator's /openapi.yaml).")
        @Option(help: "The spec file (.yaml, .yml or .json).") var file: String
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let spec = try SpecFile.decode(NewJob.self, from: file, what: "job spec")
            let job = try await withSession { client in try await client.send(.POST, "/api/v1/jobs", body: spec, as: JobView.self)! }
            if output.output == .json { try printJSON(job) } else { print("job \(job.id.uuidString.lowercased()) queued; watch it with `cumulus jobs watch \(job.id.uuidString.lowercased())`") }
        }
    }

    struct List: AsyncParsableCommand {
        @Option var federation: String
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let jobs = try await withSession { client in
                try await client.send(.GET, "/api/v1/jobs?federationId=\(federation)", body: Optional<String>.none, as: JobList.self)!.jobs
            }
            if output.output == .json { return try printJSON(jobs) }
            printTable(["ID", "NAME", "STATE", "ROUNDS", "STRATEGY"], jobs.map {
                [$0.id.uuidString.lowercased(), $0.name, $0.state.rawValue, "\($0.completedRounds)/\($0.spec.rounds)", $0.spec.strategy.name]
            })
        }
    }

    struct Show: AsyncParsableCommand {
        @Argument var id: String
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let job = try await withSession { client in try await client.send(.GET, "/api/v1/jobs/\(id)", body: Optional<String>.none, as: JobView.self)! }
            if output.output == .json { return try printJSON(job) }
            print("\(job.name) — \(job.state.rawValue), \(job.completedRounds)/\(job.spec.rounds) rounds, \(job.spec.strategy.name)"
                  + (job.error.map { " — \($0)" } ?? "") + (job.stopReason.map { " — stopped: \($0)" } ?? ""))
            printTable(["ROUND", "STATE", "UPDATES", "EXAMPLES", "TRAIN LOSS", "EVAL ACCURACY", "ε", "STRAGGLERS"], job.rounds.map {
                ["\($0.round)", $0.state, "\($0.accepted.count)/\($0.invited.count)", "\($0.examples)", $0.trainLoss.map { String(format: "%.4f", $0) } ?? "-",
                 $0.evaluationAccuracy.map { String(format: "%.3f", $0) } ?? "-", $0.epsilon.map { String(format: "%.3f", $0) } ?? "-",
                 $0.stragglers.isEmpty ? "" : $0.stragglers.values.joined(separator: "; ")]
            })
        }
    }

    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Follow a job live: a progress bar and each round's metrics until it ends.")
        @Argument var id: String

        func run() async throws {
            let final = try await withSession { client in try await watchJob(client, id: id) }
            if final.state != .succeeded { throw ExitCode(1) }
        }
    }
}

/// Prints a progress bar and each round's metrics from the job's event stream; returns the job
/// when it has ended.
func watchJob(_ client: GatewayClient, id: String) async throws -> JobView {
    var job = try await client.send(.GET, "/api/v1/jobs/\(id)", body: Optional<String>.none, as: JobView.self)!
    let total = job.spec.rounds
    func bar(_ done: Int) -> String {
        let width = 30
        let filled = total == 0 ? width : width * done / total
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] \(done)/\(total)"
    }
    for try await event in try await client.events("/api/v1/jobs/\(id)/events") {
        let data = (try? JSONSerialization.jsonObject(with: Data(event.data.utf8))) as? [String: Any] ?? [:]
        let round = (data["round"] as? NSNumber)?.intValue ?? 0
        switch event.event {
        case "job-started": print("job started")
        case "round-opened": print("\(bar(round - 1))  round \(round): \((data["participants"] as? NSNumber)?.intValue ?? 0) participants asked")
        case "update-rejected": print("              round \(round): an update was refused — \(data["reason"] as? String ?? "")")
        case "round-closed":
            let loss = (data["trainLoss"] as? NSNumber).map { String(format: ", train loss %.4f", $0.doubleValue) } ?? ""
            print("\(bar(round))  round \(round) closed: \((data["examples"] as? NSNumber)?.intValue ?? 0) examples\(loss)")
        case "round-evaluated":
            let accuracy = (data["accuracy"] as? NSNumber).map { String(format: "accuracy %.3f", $0.doubleValue) } ?? "no evaluation"
            let loss = (data["loss"] as? NSNumber).map { String(format: ", loss %.4f", $0.doubleValue) } ?? ""
            print("              round \(round) evaluated by the participants: \(accuracy)\(loss)")
        case "job-finished": print("job \(data["state"] as? String ?? "finished")" + ((data["error"] as? String).map { ": \($0)" } ?? ""))
        default: break
        }
    }
    job = try await client.send(.GET, "/api/v1/jobs/\(id)", body: Optional<String>.none, as: JobView.self)!
    return job
}

struct Models: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Model versions: list, best, download.", subcommands: [List.self, Best.self, Download.self])

    struct List: AsyncParsableCommand {
        @Option var federation: String
        @Option var job: String?
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let versions = try await withSession { client in
                try await client.send(.GET, "/api/v1/models/versions?federationId=\(federation)" + (job.map { "&jobId=\($0)" } ?? ""),
                                      body: Optional<String>.none, as: ModelVersionList.self)!.versions
            }
            if output.output == .json { return try printJSON(versions) }
            printTable(["ROUND", "SHA-256", "BYTES", "STAGE", "METRICS"], versions.map {
                ["\($0.round)", String($0.sha256.prefix(16)), "\($0.bytes)", $0.stage.rawValue,
                 $0.metrics.sorted { $0.key < $1.key }.map { "\($0.key)=\(String(format: "%.4f", $0.value))" }.joined(separator: " ")]
            })
        }
    }

    struct Best: AsyncParsableCommand {
        @Option var job: String
        @Option var metric = "accuracy"
        @Option(help: "max or min (default: min for losses, max otherwise).") var direction: String?
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let best = try await withSession { client in
                try await client.send(.GET, "/api/v1/models/best?jobId=\(job)&metric=\(metric)" + (direction.map { "&direction=\($0)" } ?? ""),
                                      body: Optional<String>.none, as: BestModel.self)!
            }
            if output.output == .json { return try printJSON(best) }
            print("round \(best.version.round), \(metric) \(best.value) — \(best.reason)\nsha256 \(best.version.sha256)")
        }
    }

    struct Download: AsyncParsableCommand {
        @Argument(help: "The model's SHA-256.") var sha256: String
        @Option var out: String

        func run() async throws {
            let bytes = try await withSession { client in
                try await client.download("/api/v1/models/blobs/\(sha256)", progress: DownloadProgress(label: String(sha256.prefix(12))).report)
            }
            DownloadProgress.finish()
            let actual = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
            guard actual == sha256 else {
                FileHandle.standardError.write(Data("cumulus: the download's SHA-256 is \(actual), not \(sha256); nothing was written\n".utf8))
                throw ExitCode(1)
            }
            try Data(bytes).write(to: URL(fileURLWithPath: out), options: .atomic)
            print("wrote \(out) (\(bytes.count) bytes, SHA-256 checked)")
        }
    }
}

/// A progress line on standard error while a download runs (only when it is a terminal, so
/// scripts' logs stay clean).
struct DownloadProgress: Sendable {
    let label: String
    static let interactive = isatty(STDERR_FILENO) == 1

    func report(_ received: Int, _ total: Int?) {
        guard Self.interactive else { return }
        let megabytes = String(format: "%.1f MB", Double(received) / 1e6)
        let line = total.map { total in "\(label): \(megabytes) of \(String(format: "%.1f MB", Double(total) / 1e6)) (\(received * 100 / max(total, 1))%)" }
            ?? "\(label): \(megabytes)"
        FileHandle.standardError.write(Data("\r\(line)".utf8))
    }

    static func finish() {
        if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

struct Nodes: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Nodes and their health.", subcommands: [List.self])

    struct List: AsyncParsableCommand {
        @Option var federation: String?
        @Option var status: String?
        @OptionGroup var output: OutputOptions

        func run() async throws {
            var query: [String] = []
            if let federation { query.append("federationId=\(federation)") }
            if let status { query.append("status=\(status)") }
            let nodes = try await withSession { client in
                try await client.send(.GET, "/api/v1/nodes" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")), body: Optional<String>.none, as: NodeList.self)!.nodes
            }
            if output.output == .json { return try printJSON(nodes) }
            printTable(["ID", "HOST", "STATUS", "REGION", "CPU %", "MEM %", "DATASETS"], nodes.map {
                [$0.id.uuidString.lowercased(), $0.hostname, $0.status.rawValue, $0.location.region ?? "-",
                 $0.telemetry.map { String(format: "%.0f", $0.cpuPercent) } ?? "-", $0.telemetry.map { String(format: "%.0f", $0.memoryPercent) } ?? "-",
                 $0.datasets.map(\.name).joined(separator: ",")]
            })
        }
    }
}

/// Reproduces an aggregation from files, offline: the same FederatedCore code the coordinator runs.
struct Aggregate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Aggregate update files like a round would: cumulus aggregate --strategy fedavg a.safetensors:120 b.safetensors:80 --out global.safetensors",
        discussion: "Stateful strategies (fedavgm, fedadam, fedyogi, fedadagrad) read the global model and their state from --state (created from --initial on the first round) and write both back.")
    @Option(help: "fedavg, fedprox, fedavgm, fedadam, fedyogi or fedadagrad.") var strategy: String
    @Option(name: .customLong("hp"), help: "A hyperparameter, name=value (repeatable), e.g. --hp eta=0.01.") var hyperparameters: [String] = []
    @Option(help: "A robust rule in place of the weighted mean: fedmedian, fedtrimmedavg, krum, bulyan, fedqv or reputation.") var defence: String?
    @Option(name: .customLong("defence-hp"), help: "A defence hyperparameter, name=value (repeatable), e.g. --defence-hp numMaliciousClients=1.")
    var defenceHyperparameters: [String] = []
    @Option(help: "fedqv's and reputation's state across rounds (read if it exists, then written).") var defenceState: String?
    @Option(help: "The strategy's state file (read if it exists, then written).") var state: String?
    @Option(help: "The global model the round started from (when there is no state yet).") var initial: String?
    @Argument(help: "Updates as file:examples.") var updates: [String]
    @Option var out: String

    func run() async throws {
        let choice = StrategyChoice(name: strategy, hyperparameters: try Self.pairs(hyperparameters, option: "--hp"))
        if let problem = choice.problem { throw ValidationError(problem) }
        let defenceChoice = try defence.map { DefenceChoice(name: $0, hyperparameters: try Self.pairs(defenceHyperparameters, option: "--defence-hp")) }
        if let problem = defenceChoice?.problem { throw ValidationError(problem) }
        if defenceChoice?.isStateful == true, defenceState == nil {
            throw ValidationError("\(defence ?? "") keeps state from round to round: give --defence-state FILE (it is created on the first round)")
        }
        let parsed = try updates.map { entry -> (TensorCollection, Int) in
            guard let colon = entry.lastIndex(of: ":"), let examples = Int(entry[entry.index(after: colon)...]), examples > 0 else {
                throw ValidationError("\(entry): expected file:examples with a positive example count")
            }
            let path = String(entry[..<colon])
            guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
            do { return (try SafetensorsReader(requireFinite: true).read([UInt8](data)), examples) } catch { throw ValidationError("\(path): \(error)") }
        }
        guard !parsed.isEmpty else { throw ValidationError("no updates given") }
        var model: AnyStrategy
        if let state, let data = FileManager.default.contents(atPath: state) {
            model = try AnyStrategy(checkpoint: data)
        } else {
            let start: TensorCollection
            if let initial, let data = FileManager.default.contents(atPath: initial) { start = try SafetensorsReader().read([UInt8](data)) }
            else if choice.name == "fedavg" || choice.name == "fedprox" { start = parsed[0].0 }
            else { throw ValidationError("\(strategy) needs the global model: give --initial (first round) or --state") }
            model = try AnyStrategy(choice, initialModel: start)
        }
        let round = model.nextRound
        // The files are the clients, as the coordinator's organisations are.
        let closing = parsed.enumerated().map { index, entry in RoundClose.Update(client: updates[index], examples: entry.1) { entry.0 } }
        let outcome: RoundClose.Outcome
        let previous = defenceState.flatMap { FileManager.default.contents(atPath: $0) }
        do { outcome = try RoundClose.run(&model, round: round, updates: closing, defence: defenceChoice, defenceState: previous) } catch { throw ValidationError("\(error)") }
        if let defenceState, let state = outcome.defenceState { try state.write(to: URL(fileURLWithPath: defenceState), options: .atomic) }
        try Data(try SafetensorsWriter().write(outcome.model)).write(to: URL(fileURLWithPath: out), options: .atomic)
        if let state { try (try model.checkpoint()).write(to: URL(fileURLWithPath: state), options: .atomic) }
        print("round \(round): \(parsed.count) updates, \(parsed.reduce(0) { $0 + $1.1 }) examples → \(out)" + (state.map { "; state in \($0)" } ?? ""))
        for verdict in outcome.verdicts ?? [] { print("  \(verdict)") }
    }

    static func pairs(_ entries: [String], option: String) throws -> [String: Double] {
        var values: [String: Double] = [:]
        for pair in entries {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let value = Double(parts[1]) else { throw ValidationError("\(option) \(pair): expected name=number") }
            values[String(parts[0])] = value
        }
        return values
    }
}
