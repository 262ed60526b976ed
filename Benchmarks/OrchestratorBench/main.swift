import ArgumentParser
import AssignmentCore
import AsyncHTTPClient
import CumulusAPI
import CumulusClient
import Crypto
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOSSL

/// Figures for the orchestrator (printed, never asserted):
///   swift run -c release orchestrator-bench decisions             # pure, 10,000 nodes
///   swift run -c release orchestrator-bench heartbeats --gateway https://127.0.0.1:8443 \
///       --email admin@… --password … --ca-file .data/tls/cert.pem  # end to end through nginx
///       [--driver h2load|swift]  (h2load, the default, is Debian's nghttp2-client)
@main
struct OrchestratorBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "orchestrator-bench", subcommands: [Decisions.self, Heartbeats.self])
}

struct Decisions: AsyncParsableCommand {
    @Option var nodes = 10_000
    @Option var repeats = 300

    func run() async throws {
        let organisation = UUID()
        let now = Date()
        var generator = SystemRandomNumberGenerator()
        // A participant with many nodes in every state, as a large hospital network might have.
        let snapshots = (0..<nodes).map { index in
            NodeSnapshot(
                id: UUID(), organisation: organisation, status: index % 10 == 0 ? .inactive : (index % 17 == 0 ? .draining : .active),
                lastHeartbeat: now.addingTimeInterval(-Double.random(in: 0...40, using: &generator)), vcpus: [1, 2, 4, 8, 16][index % 5],
                memoryGB: [2, 4, 8, 16, 64][index % 5], gpus: index % 7 == 0 ? 1 : 0, freeDiskGB: Double(index % 200),
                cpuUtilisation: Double.random(in: 0...1, using: &generator), memoryUtilisation: Double.random(in: 0...1, using: &generator),
                datasets: index % 3 == 0 ? ["digits"] : ["digits", "ecg"])
        }
        let requirement = TaskRequirement(minimumVCPUs: 4, minimumMemoryGB: 8, minimumFreeDiskGB: 20, dataset: "ecg",
                                          maximumCPUUtilisation: 0.8, maximumMemoryUtilisation: 0.8, heartbeatFreshnessSeconds: 30)
        let clock = ContinuousClock()
        func measure(_ label: String, _ decide: (UUID?) -> UUID?) {
            var cursor: UUID?
            var times: [Double] = []
            var chosen = 0
            for _ in 0..<repeats {
                let start = clock.now
                let decision = decide(cursor)
                times.append((clock.now - start).seconds * 1000)
                cursor = decision
                if decision != nil { chosen += 1 }
            }
            times.sort()
            print("\(label) over \(nodes) nodes, \(repeats) decisions:")
            print(String(format: "  mean %.3f ms   p50 %.3f ms   p99 %.3f ms   %d chose a node",
                         times.reduce(0, +) / Double(times.count), times[times.count / 2], times[times.count * 99 / 100], chosen))
        }
        measure("assignment decision (filter + circular order; target < 1 ms)") { cursor in
            Assignment.choose(nodes: snapshots, requirement: requirement, organisation: organisation, now: now, cursor: cursor)
        }
        measure("decision with every node's verdict and reasons (what a task records)") { cursor in
            Assignment.decide(nodes: snapshots, requirement: requirement, organisation: organisation, now: now, cursor: cursor).chosen
        }
    }
}

/// Who sends the heartbeats. The benchmark shares the two cores with the platform, so the
/// sender's own cost lowers the figure: AsyncHTTPClient (the agents' stack) took about 28 % of
/// the machine at 1,400 heartbeats/s (perf), h2load less than half as much per heartbeat.
enum HeartbeatDriver: String, ExpressibleByArgument, CaseIterable {
    /// nghttp2's load generator, one process and one HTTP/2 connection per node, as agents connect.
    /// It does not verify the gateway's certificate; `--ca-file` serves the setup calls.
    case h2load
    /// AsyncHTTPClient, all senders over one client (HTTP/2 multiplexes them on one connection).
    case swift
}

struct Heartbeats: AsyncParsableCommand {
    @Option var gateway: String
    @Option var email: String
    @Option var password: String
    @Option var caFile: String?
    @Option(help: "Enrolled nodes; with h2load each sends one heartbeat at a time over its own connection.") var nodes = 64
    @Option(help: "Concurrent senders (swift driver only).") var concurrency = 64
    @Option var seconds = 10.0
    @Option(help: "h2load or swift.") var driver: HeartbeatDriver = .h2load

    func run() async throws {
        let h2load = findExecutable("h2load")
        if driver == .h2load, h2load == nil {
            throw ValidationError("h2load was not found on PATH: install it (apt-get install nghttp2-client), or pass --driver swift")
        }
        let api = try SetupClient(gateway: gateway, caFile: caFile)
        print("setting up \(nodes) enrolled nodes through \(gateway)…")
        let tokens = try await enrolNodes(api)
        await api.client.shutdown()
        let beat = try JSONEncoder().encode(Heartbeat(
            telemetry: Telemetry(cpuPercent: 23.5, memoryUsedBytes: 9 << 30, memoryTotalBytes: 32 << 30, diskUsedBytes: 100 << 30, diskFreeBytes: 400 << 30, load: [1.2, 1.1, 0.9]),
            datasets: [DatasetSummary(name: "digits", rows: 1797, schemaHash: String(repeating: "ab", count: 32))]))

        let result: (ok: Int, failed: Int, latencies: [Double])
        switch driver {
        case .h2load:
            print("sending heartbeats for \(seconds) s with h2load: \(tokens.count) nodes, one connection and one heartbeat in flight each…")
            result = try await sendWithH2load(h2load!, tokens: tokens, beat: beat)
        case .swift:
            print("sending heartbeats for \(seconds) s with AsyncHTTPClient: \(concurrency) concurrent senders…")
            result = try await sendWithAsyncHTTPClient(tokens: tokens, beat: beat)
        }
        let latencies = result.latencies.sorted()
        print(String(format: "heartbeats through nginx → orchestrator → PostgreSQL (%@): %.0f per second accepted (target ≥ 2000), %d refused",
                     driver.rawValue, Double(result.ok) / seconds, result.failed))
        if !latencies.isEmpty {
            print(String(format: "  latency p50 %.1f ms   p99 %.1f ms", latencies[latencies.count / 2], latencies[latencies.count * 99 / 100]))
        }
    }

    /// A fresh organisation and federation, and `nodes` nodes enrolled and registered in it; their
    /// node tokens.
    func enrolNodes(_ api: SetupClient) async throws -> [String] {
        let platform = try await api.call(.POST, "/api/v1/auth/login", LoginRequest(email: email, password: password), as: TokenPair.self).accessToken
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let adminEmail = "bench-\(suffix)@bench.example"
        let adminPassword = "benchmark password \(suffix)"
        let organisation = try await api.call(.POST, "/api/v1/orgs", NewOrganisation(name: "bench-\(suffix)", admin: NewUser(email: adminEmail, password: adminPassword, displayName: "Bench")),
                                              token: platform, as: Organisation.self)
        let admin = try await api.call(.POST, "/api/v1/auth/login", LoginRequest(email: adminEmail, password: adminPassword), as: TokenPair.self).accessToken
        let federation = try await api.call(.POST, "/api/v1/federations", NewFederation(name: "bench-\(suffix)", ownerOrganisationId: organisation.id),
                                            token: admin, as: Federation.self)
        var tokens: [String] = []
        for index in 0..<nodes {
            let enrolment = try await api.call(.POST, "/api/v1/federations/\(federation.id)/enrolment-tokens",
                                               NewEnrolmentToken(organisationId: organisation.id), token: admin, as: EnrolmentTokenCreated.self)
            let signing = Curve25519.Signing.PrivateKey()
            let agreement = Curve25519.KeyAgreement.PrivateKey()
            let node = try await api.call(.POST, "/api/v1/auth/enrol", EnrolmentRequest(
                token: enrolment.token, hostname: "bench-\(index)", signingPublicKey: signing.publicKey.rawRepresentation.base64EncodedString(),
                agreementPublicKey: agreement.publicKey.rawRepresentation.base64EncodedString()), as: EnrolledNode.self)
            let timestamp = Int64(Date.now.timeIntervalSince1970 * 1000)
            let signature = try signing.signature(for: NodeTokenRequest.message(nodeId: node.nodeId, timestamp: timestamp)).base64EncodedString()
            let token = try await api.call(.POST, "/api/v1/auth/node-token", NodeTokenRequest(nodeId: node.nodeId, timestamp: timestamp, signature: signature),
                                           as: AccessToken.self).accessToken
            _ = try await api.call(.POST, "/api/v1/agent/register", NodeRegistration(
                federationId: federation.id, hostname: "bench-\(index)", location: NodeLocation(provider: "aws", region: "eu-west-1"),
                specs: NodeSpecs(vcpus: 8, memoryBytes: 32 << 30, diskBytes: 500 << 30), labels: [:],
                signingPublicKey: signing.publicKey.rawRepresentation.base64EncodedString(),
                agreementPublicKey: agreement.publicKey.rawRepresentation.base64EncodedString(), agentVersion: "bench"), token: token, as: NodeView.self)
            tokens.append(token)
        }
        return tokens
    }

    /// One h2load per node, all started together; each logs every request (start µs, status,
    /// duration µs), and only requests that started inside the window count. The node tokens
    /// appear in h2load's command line (it has no header file), which is fine for bench nodes.
    func sendWithH2load(_ h2load: URL, tokens: [String], beat: Data) async throws -> (ok: Int, failed: Int, latencies: [Double]) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("orchestrator-bench-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let body = folder.appendingPathComponent("heartbeat.json")
        try beat.write(to: body)
        let windowStart = Date.now.timeIntervalSince1970
        var processes: [Process] = []
        for (index, token) in tokens.enumerated() {
            let process = Process()
            process.executableURL = h2load
            process.arguments = ["-D", String(format: "%.0f", seconds.rounded(.up)), "-c", "1", "-m", "1", "-d", body.path,
                                 "-H", "Authorization: Bearer \(token)", "-H", "Content-Type: application/json",
                                 "--log-file=\(folder.appendingPathComponent("\(index).log").path)", gateway + "/api/v1/agent/heartbeat"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            processes.append(process)
        }
        for process in processes {
            while process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
            guard process.terminationStatus == 0 else { throw ValidationError("h2load exited with status \(process.terminationStatus)") }
        }
        let windowEnd = windowStart + seconds
        var ok = 0, failed = 0
        var latencies: [Double] = []
        for index in tokens.indices {
            let log = try String(contentsOf: folder.appendingPathComponent("\(index).log"), encoding: .utf8)
            for line in log.split(separator: "\n") {
                let fields = line.split(separator: "\t")
                guard fields.count == 3, let startMicroseconds = Double(fields[0]), let status = Int(fields[1]), let duration = Double(fields[2]) else { continue }
                let start = startMicroseconds / 1e6
                guard start >= windowStart, start < windowEnd else { continue }
                if status == 200 { ok += 1; latencies.append(duration / 1000) } else { failed += 1 }
            }
        }
        return (ok, failed, latencies)
    }

    func sendWithAsyncHTTPClient(tokens: [String], beat: Data) async throws -> (ok: Int, failed: Int, latencies: [Double]) {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile { tls.trustRoots = .file(caFile); tls.certificateVerification = .noHostnameVerification } else { tls.certificateVerification = .none }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = concurrency
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        defer { _ = http.shutdown() }
        let clock = ContinuousClock()
        let end = clock.now + .seconds(seconds)
        let (gateway, concurrency) = (self.gateway, self.concurrency)
        return try await withThrowingTaskGroup(of: (ok: Int, failed: Int, latencies: [Double]).self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var ok = 0, failed = 0
                    var latencies: [Double] = []
                    var index = worker
                    while clock.now < end {
                        var request = HTTPClientRequest(url: gateway + "/api/v1/agent/heartbeat")
                        request.method = .POST
                        request.headers.add(name: "Authorization", value: "Bearer \(tokens[index % tokens.count])")
                        request.headers.add(name: "Content-Type", value: "application/json")
                        request.body = .bytes(ByteBuffer(data: beat))
                        index += concurrency
                        let start = clock.now
                        let response = try await http.execute(request, timeout: .seconds(30))
                        _ = try await response.body.collect(upTo: 1 << 16)
                        latencies.append((clock.now - start).seconds * 1000)
                        if response.status == .ok { ok += 1 } else { failed += 1 }
                    }
                    return (ok, failed, latencies)
                }
            }
            return try await group.reduce(into: (ok: 0, failed: 0, latencies: [Double]())) {
                $0.ok += $1.ok; $0.failed += $1.failed; $0.latencies += $1.latencies
            }
        }
    }
}

/// The first executable called `name` on PATH.
func findExecutable(_ name: String) -> URL? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }
}

/// The setup calls (organisation, federation, enrolments) through the CLI's and agent's own
/// gateway client; the gateway's rate limit on /api/v1/auth is waited out by `withBackoff`.
struct SetupClient {
    let client: GatewayClient

    init(gateway: String, caFile: String?) throws {
        client = try GatewayClient(base: gateway, insecure: caFile == nil, caFile: caFile)
    }

    func call<Answer: Decodable & Sendable>(_ method: HTTPMethod, _ path: String, _ body: some Encodable & Sendable, token: String? = nil,
                                             as: Answer.Type) async throws -> Answer {
        client.bearerToken = token
        let client = self.client
        return try await withBackoff("\(method) \(path)") {
            guard let answer = try await client.send(method, path, body: body, as: Answer.self, authenticated: token != nil) else {
                throw ValidationError("\(method) \(path) answered without a body")
            }
            return answer
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
