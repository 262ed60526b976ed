import CumulusAPI
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle
import Synchronization
import Testing

/// `cumulus-agent enroll` reads where it runs from the cloud's instance-metadata endpoint when
/// the flags do not say. The stand-ins here answer like AWS's IMDSv2 (a session token first;
/// without it, 401) and GCP's metadata server (only with `Metadata-Flavor: Google`).
@Suite(.serialized) struct InstanceMetadataTests {
    @Test(arguments: ["aws", "gcp"])
    func enrolmentTakesTheLocationFromTheMetadataEndpoint(_ cloud: String) async throws {
        let router = Router()
        let token = "imds-\(UUID().uuidString)"
        router.put("/latest/api/token") { request, _ -> Response in
            // The GCP machine has no AWS endpoint: the agent must fall through to the second question.
            guard cloud == "aws" else { return Response(status: .notFound) }
            guard request.headers[HTTPField.Name("X-aws-ec2-metadata-token-ttl-seconds")!] != nil else { return Response(status: .badRequest) }
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: token)))
        }
        router.get("/latest/dynamic/instance-identity/document") { request, _ -> Response in
            guard request.headers[HTTPField.Name("X-aws-ec2-metadata-token")!] == token else { return Response(status: .unauthorized) }
            let document = #"{"region": "eu-west-3", "availabilityZone": "eu-west-3b", "instanceType": "m5.xlarge", "accountId": "123456789012"}"#
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: document)))
        }
        router.get("/computeMetadata/v1/instance/{item}") { request, context -> Response in
            guard request.headers[HTTPField.Name("Metadata-Flavor")!] == "Google" else { return Response(status: .forbidden) }
            let answers = ["zone": "projects/4242/zones/europe-west4-a", "machine-type": "projects/4242/machineTypes/e2-standard-4"]
            guard let answer = answers[context.parameters.get("item") ?? ""] else { return Response(status: .notFound) }
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: answer)))
        }
        let port = Mutex<Int?>(nil)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } })
        try await withThrowingTaskGroup(of: Void.self) { group in
            let serviceGroup = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: app.logger))
            group.addTask { try await serviceGroup.run() }
            defer { group.cancelAll() }
            while port.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(20)) }
            let metadataURL = "http://127.0.0.1:\(port.withLock { $0 }!)"

            let fixture = try await FederationFixture.make("imds", participants: 1)
            let folder = FileManager.default.temporaryDirectory.appending(path: "cumulus-imds-\(UUID().uuidString.prefix(8))").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let agent = AgentProcess(name: "imds-\(cloud)", folder: folder)
            let enrol = try await ProcessRunner.run(AgentProcess.binary, [
                "enroll", "--gateway", try TestEnvironment.gateway(), "--token", try await fixture.enrolmentToken(for: 0), "--state", agent.state,
                "--ca-file", try TestEnvironment.value("CUMULUS_TEST_GATEWAY_CA"), "--hostname", agent.name, "--metadata-url", metadataURL,
                // A busy test machine may take longer than a cloud's one second to answer.
                "--metadata-timeout", "20",
            ])
            try #require(enrol.status == 0, "\(enrol.standardError)")
            let credential = try String(contentsOfFile: agent.state + "/credential.json", encoding: .utf8)
            let attributes = try FileManager.default.attributesOfItem(atPath: agent.state + "/signing.key")
            #expect((attributes[.posixPermissions] as? Int) == 0o600, "the private key is readable by the agent's user only")
            if cloud == "aws" {
                #expect(credential.contains(#""region" : "eu-west-3""#) && credential.contains(#""instanceType" : "m5.xlarge""#), "\(credential)")
                #expect(credential.contains(#""provider" : "aws""#))
            } else {
                #expect(credential.contains(#""region" : "europe-west4""#) && credential.contains(#""zone" : "europe-west4-a""#), "\(credential)")
                #expect(credential.contains(#""instanceType" : "e2-standard-4""#) && credential.contains(#""provider" : "gcp""#))
            }
        }
    }
}
