import ArgumentParser
import CumulusAPI
import CumulusClient
import Crypto
import Foundation

/// `cumulus-agent`, the participant-side process: enrols the node, reports its health and
/// datasets, and runs the tasks the orchestrator assigns it.
@main
struct CumulusAgent: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cumulus-agent",
        abstract: "Runs on a participant's node: enrols it, reports its health and runs its tasks on local data.",
        version: CumulusVersion.current,
        subcommands: [Enroll.self, Run.self]
    )
}

struct Connection: ParsableArguments {
    @Option(help: "Folder for the node's keys and credential (created 0700).")
    var state: String = AgentState.defaultFolder()
    @Flag(help: "Accept the gateway's TLS certificate without checking it (self-signed test installs only).")
    var insecure = false
    @Option(help: "A PEM file with the CA (or self-signed certificate) that signed the gateway's certificate.")
    var caFile: String?
}

struct Enroll: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Enrol this node with a one-time token from the organisation's administrator.")

    @Option(help: "The gateway's URL, e.g. https://cumulus.example.org") var gateway: String
    @Option(help: "The one-time enrolment token (cet_…).") var token: String
    @OptionGroup var connection: Connection
    @Option(help: "Host name to register (default: this machine's).") var hostname: String?
    @Option(help: "Cloud provider (aws, gcp, azure, openstack); default: from the instance-metadata endpoint.") var provider: String?
    @Option(help: "Region; default: from the instance-metadata endpoint.") var region: String?
    @Option(help: "Zone; default: from the instance-metadata endpoint.") var zone: String?
    @Option(help: "Instance type; default: from the instance-metadata endpoint.") var instanceType: String?
    @Option(help: "The cloud's instance-metadata endpoint (AWS IMDSv2 or GCP style).") var metadataURL: String = "http://169.254.169.254"
    @Option(help: "Seconds each instance-metadata question may take (off a cloud, nothing answers and each waits this long).")
    var metadataTimeout: Double = 1
    @Flag(help: "Do not ask an instance-metadata endpoint.") var noMetadata = false

    func run() async throws {
        let state = AgentState(folder: URL(fileURLWithPath: connection.state))
        let signing = Curve25519.Signing.PrivateKey()
        let agreement = Curve25519.KeyAgreement.PrivateKey()
        let client = try GatewayClient(base: gateway, insecure: connection.insecure, caFile: connection.caFile)
        defer { Task { await client.shutdown() } }
        var location = NodeLocation(provider: provider, region: region, zone: zone, instanceType: instanceType)
        if !noMetadata, location.region == nil || location.provider == nil {
            let found = await InstanceMetadata(base: metadataURL, timeout: .milliseconds(Int64(max(0.05, min(metadataTimeout, 60)) * 1000))).discover()
            location.provider = location.provider ?? found?.provider
            location.region = location.region ?? found?.region
            location.zone = location.zone ?? found?.zone
            location.instanceType = location.instanceType ?? found?.instanceType
        }
        let name = hostname ?? ProcessInfo.processInfo.hostName
        let request = EnrolmentRequest(token: token, hostname: name, signingPublicKey: signing.publicKey.rawRepresentation.base64EncodedString(),
                                       agreementPublicKey: agreement.publicKey.rawRepresentation.base64EncodedString())
        let enrolled: EnrolledNode?
        do {
            enrolled = try await client.send(.POST, "/api/v1/auth/enrol", body: request, as: EnrolledNode.self, authenticated: false)
        } catch {
            await client.shutdown()
            throw ValidationError("enrolment failed: \(error)")
        }
        guard let enrolled else { throw ValidationError("enrolment failed: the gateway answered without a node") }
        try state.create(credential: .init(nodeId: enrolled.nodeId, organisationId: enrolled.organisationId, federationId: enrolled.federationId,
                                           gateway: gateway, hostname: name, location: location),
                         signing: signing, agreement: agreement)
        AgentLog.info("enrolled", ["node": enrolled.nodeId.uuidString.lowercased(), "federation": enrolled.federationId.uuidString.lowercased(),
                                   "state": state.folder.path, "region": location.region ?? "unknown"])
        await client.shutdown()
    }
}

struct Run: AsyncParsableCommand {
    static func runners(client: GatewayClient, data: String, state: AgentState, signing: Curve25519.Signing.PrivateKey) -> [String: any TaskRunner] {
        let training = TrainingContext(gateway: client, dataFolder: data, cacheFolder: state.folder.appending(path: "models"))
        let list: [any TaskRunner] = [ProbeRunner(gateway: client), TrainRunner(context: training, signingKey: signing), EvaluateRunner(context: training)]
        return Dictionary(uniqueKeysWithValues: list.map { ($0.kind, $0) })
    }

    static let configuration = CommandConfiguration(abstract: "Heartbeat, report datasets and run assigned tasks until SIGTERM.")

    @Option(help: "Folder holding the node's datasets (*.csv, a header line then rows).") var data: String
    @OptionGroup var connection: Connection
    @Option(help: "The gateway's URL (default: the one the node enrolled with).") var gateway: String?
    @Option(help: "Offer at most this many vCPUs.") var cpus: Int?
    @Option(help: "Offer at most this much memory, in GiB.") var memoryGB: Double?
    @Option(help: "Offer at most this much disk, in GiB.") var diskGB: Double?
    @Option(help: "Labels, as key=value[,key=value…].") var labels: String = ""
    @Option(help: .hidden) var telemetryOverride: String?

    func run() async throws {
        let state = AgentState(folder: URL(fileURLWithPath: connection.state))
        let (credential, signing, agreement) = try state.load()
        guard FileManager.default.fileExists(atPath: data) else { throw ValidationError("the data folder \(data) does not exist") }
        let client = try GatewayClient(base: gateway ?? credential.gateway, insecure: connection.insecure, caFile: connection.caFile)
        client.nodeId = credential.nodeId
        client.signingKey = signing
        var overrides: [String: Double] = [:]
        if let telemetryOverride {
            guard let parsed = try? JSONDecoder().decode([String: Double].self, from: Data(telemetryOverride.utf8)) else {
                throw ValidationError("--telemetry-override must be a JSON object of numbers")
            }
            overrides = parsed
        }
        let collector = TelemetryCollector(
            dataFolder: data, caps: .init(vcpus: cpus, memoryBytes: memoryGB.map { Int64($0 * Double(1 << 30)) }, diskBytes: diskGB.map { Int64($0 * Double(1 << 30)) }),
            overrides: overrides)
        var labelMap: [String: String] = [:]
        for pair in labels.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { throw ValidationError("--labels: '\(pair)' is not key=value") }
            labelMap[String(parts[0])] = String(parts[1])
        }
        let registration = NodeRegistration(
            federationId: credential.federationId, hostname: credential.hostname, location: credential.location, specs: collector.specs(),
            labels: labelMap, signingPublicKey: signing.publicKey.rawRepresentation.base64EncodedString(),
            agreementPublicKey: agreement.publicKey.rawRepresentation.base64EncodedString(), agentVersion: CumulusVersion.current)
        let runtime = AgentRuntime(client: client, registration: registration, collector: collector, datasets: DatasetScanner(folder: data),
                                   runners: Self.runners(client: client, data: data, state: state, signing: signing))
        AgentLog.info("agent starting", ["node": credential.nodeId.uuidString.lowercased(), "gateway": client.base, "data": data])
        let work = Task { try await runtime.run() }
        // SIGTERM and SIGINT end the work cleanly: a running task is handed back, not abandoned.
        let signals = [SIGTERM, SIGINT].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                AgentLog.info("stopping", ["signal": signalNumber == SIGTERM ? "SIGTERM" : "SIGINT"])
                work.cancel()
            }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }
        do {
            try await work.value
        } catch is CancellationError {
            AgentLog.info("stopped")
        } catch let failure as GatewayClient.Failure where failure.status == 401 {
            await client.shutdown()
            AgentLog.error("the node's credential was refused", ["error": failure.description])
            throw ExitCode(77)
        } catch {
            await client.shutdown()
            AgentLog.error("agent stopped", ["error": "\(error)"])
            throw ExitCode(1)
        }
        await client.shutdown()
    }
}
