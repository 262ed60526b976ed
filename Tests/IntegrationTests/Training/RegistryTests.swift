import Crypto
import CumulusAPI
import FederatedCore
import Foundation
import Testing

extension TrainingTests {
    /// The registry through the gateway: versions of a real job, best by a metric, downloads with
    /// ETag and ranges, retention, and promotion to production behind a second person's approval.
    /// Then `cumulus aggregate` reproduces the coordinator's arithmetic from files.
    @Suite(.serialized) struct RegistryTests {
        @Test func versionsAreKeptRankedDownloadedRetainedAndPromotedWithApproval() async throws {
            let fixture = try await FederationFixture.make("registry", participants: 1)
            let gateway = fixture.gateway
            let owner = fixture.participants[0]
            var node = try await fixture.enrolInTest(participant: 0, hostname: "registry-1")
            let digits = DatasetSummary(name: "digits", rows: 100, schemaHash: String(repeating: "d", count: 64))
            _ = try await node.heartbeat(datasets: [digits])
            let job = try gateway.decode(JobView.self, try await gateway.send(.POST, "/api/v1/jobs", token: owner.adminToken, json: NewJob(
                federationId: fixture.federation.id, name: "registry", model: ModelSpec(architecture: "logistic", inputs: 3, classes: 2), dataset: "digits",
                strategy: StrategySpec(name: "fedavg"), rounds: 4, roundDeadlineSeconds: 120, evaluateEvery: 0, seed: 9)), expect: 201)
            // Train losses 0.9, 0.4, 0.6, 0.7: round 2 is the best, round 4 the last.
            let losses = [0.9, 0.4, 0.6, 0.7]
            for round in 1...4 {
                node.token = try await node.freshToken()
                _ = try await node.heartbeat(datasets: [digits])
                let task = try gateway.decode(TaskAssignment.self, try await gateway.send(.GET, "/api/v1/agent/tasks/next?waitSeconds=30", token: node.token), expect: 200)
                let global = try SafetensorsReader().read([UInt8](try await gateway.send(.GET, "/api/v1/models/blobs/\(task.parameters["model"]!.string!)", token: node.token).body))
                var update = TensorCollection()
                for (name, tensor) in global { try update.insert(try Tensor(shape: tensor.shape, values: tensor.floatValues().map { $0 + Float(round) / 100 }), named: name) }
                let bytes = try SafetensorsWriter().write(update)
                let sha = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
                let signature = try node.signing.signature(for: UpdateHeaders.signedMessage(sha256: sha, jobId: job.id, round: round, task: task.taskId))
                let answer = try await HTTPTestClient.send(try TestEnvironment.gateway() + task.parameters["upload"]!.string!, method: .PUT, headers: [
                    "Authorization": "Bearer \(node.token)", UpdateHeaders.task: task.taskId.uuidString.lowercased(), UpdateHeaders.examples: "5",
                    UpdateHeaders.signature: signature.base64EncodedString(), UpdateHeaders.trainLoss: String(losses[round - 1])], body: Data(bytes))
                #expect(answer.status == 201, "\(answer.text)")
                _ = try await gateway.send(.POST, "/api/v1/agent/tasks/\(task.taskId)/status", token: node.token,
                                           json: TaskStatusReport(attempt: task.attempt, sequence: 1, outcome: .succeeded))
                for _ in 0..<100 {
                    let view = try gateway.decode(JobView.self, try await gateway.send(.GET, "/api/v1/jobs/\(job.id)", token: owner.adminToken), expect: 200)
                    if view.completedRounds >= round { break }
                    try await Task.sleep(for: .milliseconds(200))
                }
            }

            let versions = try gateway.decode(ModelVersionList.self, try await gateway.send(
                .GET, "/api/v1/models/versions?federationId=\(fixture.federation.id)&jobId=\(job.id)", token: owner.adminToken), expect: 200).versions
            #expect(versions.map(\.round) == [0, 1, 2, 3, 4])
            let best = try gateway.decode(BestModel.self, try await gateway.send(.GET, "/api/v1/models/best?jobId=\(job.id)&metric=trainLoss", token: owner.adminToken), expect: 200)
            #expect(best.version.round == 2 && best.value == 0.4, "\(best.reason)")
            let lastTwo = try gateway.decode(BestModel.self, try await gateway.send(.GET, "/api/v1/models/best?jobId=\(job.id)&metric=trainLoss&lastN=2", token: owner.adminToken), expect: 200)
            #expect(lastTwo.version.round == 3)

            // Downloads: whole, conditional, ranged.
            let path = "/api/v1/models/blobs/\(best.version.sha256)"
            let whole = try await HTTPTestClient.send(try TestEnvironment.gateway() + path, headers: ["Authorization": "Bearer \(owner.adminToken)"])
            #expect(whole.status == 200 && whole.body.count == best.version.bytes)
            #expect(SHA256.hash(data: whole.body).map { String(format: "%02x", $0) }.joined() == best.version.sha256)
            #expect(try await HTTPTestClient.send(try TestEnvironment.gateway() + path, headers: [
                "Authorization": "Bearer \(owner.adminToken)", "If-None-Match": "\"\(best.version.sha256)\""]).status == 304)
            let part = try await HTTPTestClient.send(try TestEnvironment.gateway() + path, headers: ["Authorization": "Bearer \(owner.adminToken)", "Range": "bytes=8-15"])
            #expect(part.status == 206 && part.body == whole.body[8..<16])
            let outsider = try await gateway.makeTenant("registry-outsider", adminToken: fixture.platformToken)
            #expect(try await HTTPTestClient.send(try TestEnvironment.gateway() + path, headers: ["Authorization": "Bearer \(outsider.adminToken)"]).status == 404)

            // Production needs an approval by someone else; it is used once.
            let version = "/api/v1/models/versions/\(best.version.id)/stage"
            #expect(try gateway.problem(try await gateway.send(.POST, version, token: owner.adminToken, json: ["stage": "production"]), status: 409)
                .detail?.contains("approval") == true)
            let approval = try gateway.decode(Approval.self, try await gateway.send(.POST, "/api/v1/approvals", token: owner.adminToken, json: NewApproval(
                action: "models.promote", permission: "models:promote", scope: .federation(fixture.federation.id), summary: "round 2 to production",
                payload: ["versionId": best.version.id.uuidString.lowercased()])), expect: 201)
            #expect(try await gateway.send(.POST, "/api/v1/approvals/\(approval.id)/approve", token: fixture.platformToken, json: ["reason": "looks right"]).status == 200)
            struct Promote: Encodable { var stage = "production"; var approvalId: UUID }
            let promoted = try gateway.decode(ModelVersion.self, try await gateway.send(
                .POST, version, token: owner.adminToken, json: Promote(approvalId: approval.id)), expect: 200)
            #expect(promoted.stage == .production)
            #expect(try await gateway.send(.POST, "/api/v1/models/versions/\(versions[1].id)/stage", token: owner.adminToken,
                                           json: Promote(approvalId: approval.id)).status >= 400, "an approval is used once, for its version")

            // Retention: the best (promoted), the last one; the rest go, with their files.
            struct Retention: Encodable { var jobId: UUID; var keepLast: Int; var metric: String }
            struct Retained: Decodable { var kept: [Int]; var removed: [Int]; var freedBytes: Int }
            let retained = try gateway.decode(Retained.self, try await gateway.send(.POST, "/api/v1/models/retention", token: owner.adminToken,
                                                                                    json: Retention(jobId: job.id, keepLast: 1, metric: "trainLoss")), expect: 200)
            #expect(retained.kept == [2, 4] && retained.removed == [0, 1, 3], "\(retained)")
            #expect(try await HTTPTestClient.send(try TestEnvironment.gateway() + "/api/v1/models/blobs/\(versions[1].sha256)",
                                                  headers: ["Authorization": "Bearer \(owner.adminToken)"]).status == 404)
        }

        @Test func aJobThatNeedsApprovalWaitsInTheQueueForASecondPerson() async throws {
            let fixture = try await FederationFixture.make("approval", participants: 1)
            let gateway = fixture.gateway
            let owner = fixture.participants[0]
            func spec(_ name: String, approval: Bool) -> NewJob {
                NewJob(federationId: fixture.federation.id, name: name, model: ModelSpec(architecture: "logistic", inputs: 3, classes: 2), dataset: "digits",
                       strategy: StrategySpec(name: "fedavg"), rounds: 1, evaluateEvery: 0, requireApproval: approval)
            }
            let gated = try gateway.decode(JobView.self, try await gateway.send(.POST, "/api/v1/jobs", token: owner.adminToken, json: spec("gated", approval: true)), expect: 201)
            let behind = try gateway.decode(JobView.self, try await gateway.send(.POST, "/api/v1/jobs", token: owner.adminToken, json: spec("behind", approval: false)), expect: 201)
            try await Task.sleep(for: .seconds(2))
            func state(_ id: UUID) async throws -> JobState {
                try gateway.decode(JobView.self, try await gateway.send(.GET, "/api/v1/jobs/\(id)", token: owner.adminToken), expect: 200).state
            }
            #expect(try await state(gated.id) == .queued, "no approval yet")
            #expect(try await state(behind.id) == .queued, "the job behind it keeps its place in the queue")
            #expect(try await gateway.send(.POST, "/api/v1/jobs/\(gated.id)/approve", token: owner.adminToken).status == 403, "not by its creator")
            let approved = try gateway.decode(JobView.self, try await gateway.send(.POST, "/api/v1/jobs/\(gated.id)/approve", token: fixture.platformToken), expect: 200)
            #expect(approved.approvedBy != nil)
            var started = false
            for _ in 0..<50 where !started {
                try await Task.sleep(for: .milliseconds(200))
                started = try await state(gated.id) == .running
            }
            #expect(started, "the approved job starts")
            #expect(try await state(behind.id) == .queued, "one job at a time in a federation")
            #expect(try await gateway.send(.POST, "/api/v1/jobs/\(behind.id)/approve", token: fixture.platformToken).status == 409, "it needs none")
            _ = try await gateway.send(.POST, "/api/v1/jobs/\(gated.id)/cancel", token: owner.adminToken)
            _ = try await gateway.send(.POST, "/api/v1/jobs/\(behind.id)/cancel", token: owner.adminToken)
        }

        @Test func cumulusAggregateReproducesTheStrategyFromFiles() async throws {
            let folder = FileManager.default.temporaryDirectory.appending(path: "cumulus-aggregate-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let architecture = try ModelArchitecture.logisticRegression(inputCount: 4, classCount: 3)
            let initial = architecture.initialModel(seed: 1)
            let updates = (1...3).map { seed in architecture.initialModel(seed: UInt64(seed + 10)) }
            func write(_ model: TensorCollection, _ name: String) throws -> String {
                let path = folder.appending(path: name).path
                try Data(try SafetensorsWriter().write(model)).write(to: URL(fileURLWithPath: path))
                return path
            }
            let initialPath = try write(initial, "initial.safetensors")
            let paths = try updates.enumerated().map { try write($1, "update-\($0).safetensors") }
            let examples = [30, 10, 60]
            var expected = try AnyStrategy(StrategyChoice(name: "fedadam", hyperparameters: ["eta": 0.05]), initialModel: initial)
            let binary = (ProcessInfo.processInfo.environment["CUMULUS_TEST_BIN_DIR"] ?? ".build/debug") + "/cumulus"
            for round in 1...2 {
                var accumulator = expected.makeAccumulator()
                for (update, count) in zip(updates, examples) { try accumulator.fold(update, examples: count) }
                let model = try expected.finishRound(round, accumulator: accumulator)
                let out = folder.appending(path: "round-\(round).safetensors").path
                let run = try await ProcessRunner.run(binary, ["aggregate", "--strategy", "fedadam", "--hp", "eta=0.05", "--state", folder.appending(path: "state.json").path,
                                                               "--initial", initialPath] + zip(paths, examples).map { "\($0):\($1)" } + ["--out", out])
                try #require(run.status == 0, "\(run.standardError)")
                #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == Data(try SafetensorsWriter().write(model)), "round \(round) matches bit for bit")
            }
            let refused = try await ProcessRunner.run(binary, ["aggregate", "--strategy", "fedmagic", paths[0] + ":1", "--out", folder.appending(path: "x").path])
            #expect(refused.status != 0 && refused.standardError.contains("unknown strategy"))
        }
    }
}
