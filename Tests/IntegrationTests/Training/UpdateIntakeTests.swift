import Crypto
import CumulusAPI
import FederatedCore
import Foundation
import Testing

/// Malformed updates get a precise 4xx, are recorded, and the round goes on.
extension TrainingTests { @Suite(.serialized) struct UpdateIntakeTests {
    @Test func malformedUpdatesAreRefusedPreciselyAndTheRoundGoesOn() async throws {
        let fixture = try await FederationFixture.make("intake", participants: 1)
        let gateway = fixture.gateway
        let owner = fixture.participants[0]
        var node = try await fixture.enrolInTest(participant: 0, hostname: "intake-1")
        let digits = DatasetSummary(name: "digits", rows: 100, schemaHash: String(repeating: "c", count: 64))
        #expect(try await node.heartbeat(datasets: [digits]).status == 200)
        let job = try gateway.decode(JobView.self, try await gateway.send(.POST, "/api/v1/jobs", token: owner.adminToken, json: NewJob(
            federationId: fixture.federation.id, name: "intake", model: ModelSpec(architecture: "logistic", inputs: 4, classes: 3), dataset: "digits",
            strategy: StrategySpec(name: "fedavg"), rounds: 2, roundDeadlineSeconds: 120, evaluateEvery: 0, seed: 5)), expect: 201)

        for round in 1...2 {
            node.token = try await node.freshToken()
            _ = try await node.heartbeat(datasets: [digits])
            let task = try gateway.decode(TaskAssignment.self, try await gateway.send(.GET, "/api/v1/agent/tasks/next?waitSeconds=30", token: node.token), expect: 200)
            #expect(task.kind == "train")
            let path = try #require(task.parameters["upload"]?.string)
            let hash = try #require(task.parameters["model"]?.string)
            let global = try SafetensorsReader().read([UInt8](try await gateway.send(.GET, "/api/v1/models/blobs/\(hash)", token: node.token).body))
            let valid = try SafetensorsWriter().write(global)

            func send(_ bytes: [UInt8], examples: String? = "10", task id: UUID? = nil, key: Curve25519.Signing.PrivateKey? = nil) async throws -> HTTPTestClient.Answer {
                let sha = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
                let signer = key ?? node.signing
                let signature = try signer.signature(for: UpdateHeaders.signedMessage(sha256: sha, jobId: job.id, round: round, task: id ?? task.taskId))
                var headers = ["Authorization": "Bearer \(node.token)", UpdateHeaders.task: (id ?? task.taskId).uuidString.lowercased(),
                               UpdateHeaders.signature: signature.base64EncodedString(), "Content-Type": "application/octet-stream"]
                if let examples { headers[UpdateHeaders.examples] = examples }
                return try await HTTPTestClient.send(try TestEnvironment.gateway() + path, method: .PUT, headers: headers, body: Data(bytes))
            }

            if round == 1 {
                let truncated = try gateway.problem(try await send(Array(valid.dropLast(7))), status: 400)
                #expect(truncated.errors?.first?.field == "body" && truncated.errors?.first?.reason.contains("safetensors") == true, "\(truncated)")

                var wrongShape = TensorCollection()
                for (name, tensor) in global { try wrongShape.insert(name.contains("weight") ? try Tensor(shape: [5], values: [Float](repeating: 0, count: 5)) : tensor, named: name) }
                let shape = try gateway.problem(try await send(try SafetensorsWriter().write(wrongShape)), status: 400)
                #expect(shape.errors?.first?.reason.contains("does not match the global model") == true, "\(shape)")

                var poisoned = TensorCollection()
                for (name, tensor) in global {
                    var values = tensor.floatValues()
                    if name.contains("bias") { values[0] = .nan }
                    try poisoned.insert(try Tensor(shape: tensor.shape, values: values), named: name)
                }
                let nan = try gateway.problem(try await send(try SafetensorsWriter().write(poisoned)), status: 400)
                #expect(nan.errors?.first?.reason.lowercased().contains("finite") == true || nan.errors?.first?.reason.lowercased().contains("nan") == true, "\(nan)")

                let forged = try gateway.problem(try await send(valid, key: Curve25519.Signing.PrivateKey()), status: 400)
                #expect(forged.errors?.first?.field == UpdateHeaders.signature)

                // A header claiming 50 MB: refused without reading it.
                var oversized = withUnsafeBytes(of: UInt64(50_000_000).littleEndian, Array.init)
                oversized += Array(#"{"a":1}"#.utf8)
                let header = try gateway.problem(try await send(oversized), status: 400)
                #expect(header.errors?.first?.field == "body", "\(header)")

                #expect(try gateway.problem(try await send(valid, examples: nil), status: 400).errors?.first?.field == UpdateHeaders.examples)
                #expect(try await send(valid, task: UUID()).status == 403, "another task's update")
            }

            let receipt = try gateway.decode(UpdateReceipt.self, try await send(valid), expect: 201)
            #expect(receipt.round == round && receipt.examples == 10)
            #expect(try await send(valid).status == 409, "one update per participant and round")
            let status = "/api/v1/agent/tasks/\(task.taskId)/status"
            _ = try await gateway.send(.POST, status, token: node.token, json: TaskStatusReport(attempt: task.attempt, sequence: 1, outcome: .succeeded,
                                                                                               result: ["sha256": .string(receipt.sha256)]))
        }

        var finished = job
        for _ in 0..<100 where !finished.state.isTerminal {
            try await Task.sleep(for: .milliseconds(300))
            finished = try gateway.decode(JobView.self, try await gateway.send(.GET, "/api/v1/jobs/\(job.id)", token: owner.adminToken), expect: 200)
        }
        #expect(finished.state == .succeeded, "\(finished.error ?? "")")
        #expect(finished.rounds.first?.rejectedUpdates == 8, "every refusal is recorded with the round")
        #expect(finished.rounds.allSatisfy { $0.accepted == [owner.organisation.id] })
    }
}}
