import Crypto
import CumulusAPI
import FederatedCore
import Foundation
import Testing

/// A job bound to an aggregator deployment: refused unless the deployment is the federation's,
/// running and answering as itself; trained while it runs; failed, saying why, once it stops.
extension TrainingTests { @Suite(.serialized) struct BoundJobTests {
    @Test func aJobBindsToARunningDeploymentAndFailsWhenItStops() async throws {
        let fixture = try await FederationFixture.make("bound", participants: 1)
        let gateway = fixture.gateway
        let owner = fixture.participants[0]
        let token = owner.adminToken
        let placements = PlacementAPIClient(gateway: gateway)
        let placement = try await placements.create(PlacementAPITests.scenario(fixture.federation.id), token: token)
        let deployment = try await placements.deploy(NewDeployment(placementId: placement.id, point: "costFirst"), token: token)
        #expect(deployment.status == .running)

        func job(_ name: String, deployment: UUID?, minAvailableClients: Int = 1, federation: UUID? = nil) -> NewJob {
            NewJob(federationId: federation ?? fixture.federation.id, name: name, model: ModelSpec(architecture: "logistic", inputs: 4, classes: 3),
                   dataset: "digits", strategy: StrategySpec(name: "fedavg"), rounds: 1, minAvailableClients: minAvailableClients,
                   roundDeadlineSeconds: 120, evaluateEvery: 0, seed: 9, deploymentId: deployment)
        }
        func finished(_ id: UUID) async throws -> JobView {
            var view = try gateway.decode(JobView.self, try await gateway.send(.GET, "/api/v1/jobs/\(id)", token: token), expect: 200)
            for _ in 0..<200 where !view.state.isTerminal {
                try await Task.sleep(for: .milliseconds(300))
                view = try gateway.decode(JobView.self, try await gateway.send(.GET, "/api/v1/jobs/\(id)", token: token), expect: 200)
            }
            return view
        }
        func create(_ spec: NewJob) async throws -> HTTPTestClient.Answer {
            try await gateway.send(.POST, "/api/v1/jobs", token: token, json: spec)
        }

        // Refused, naming the cause: a deployment that does not exist, one serving another
        // federation, and one that is stopped.
        #expect(try gateway.problem(try await create(job("unknown", deployment: UUID())), status: 400).errors?.first?.field == "deploymentId")
        let other = try gateway.decode(Federation.self, try await gateway.send(
            .POST, "/api/v1/federations", token: token,
            json: NewFederation(name: TestEnvironment.uniqueName("boundother"), ownerOrganisationId: owner.organisation.id)), expect: 201)
        let elsewhere = try gateway.problem(try await create(job("elsewhere", deployment: deployment.id, federation: other.id)), status: 400)
        #expect(elsewhere.errors?.first?.field == "deploymentId" && elsewhere.errors?.first?.reason.contains("not the job's") == true, "\(elsewhere)")
        _ = try await placements.change(deployment.id, "stop", token: token)
        let stopped = try gateway.problem(try await create(job("stopped", deployment: deployment.id)), status: 409)
        #expect(stopped.detail?.contains("stopped, not running") == true, "\(stopped)")
        let restarted = try await placements.change(deployment.id, "start", token: token)
        let endpoint = try #require(restarted.endpoint)

        // Bound while running: the job records the aggregator it was bound to and trains.
        var node = try await fixture.enrolInTest(participant: 0, hostname: "bound-1")
        let digits = DatasetSummary(name: "digits", rows: 100, schemaHash: String(repeating: "d", count: 64))
        #expect(try await node.heartbeat(datasets: [digits]).status == 200)
        let bound = try gateway.decode(JobView.self, try await create(job("bound", deployment: deployment.id)), expect: 201)
        let aggregator = try #require(bound.aggregator)
        #expect(aggregator.deploymentId == deployment.id && aggregator.endpoint == endpoint && aggregator.provisioner == .embedded)
        #expect(aggregator.site == restarted.aggregators[0].site && aggregator.aggregatorId == restarted.aggregators[0].id)
        #expect(aggregator.estimatedRoundSeconds == restarted.roundSeconds)

        node.token = try await node.freshToken()
        _ = try await node.heartbeat(datasets: [digits])
        let task = try gateway.decode(TaskAssignment.self, try await gateway.send(.GET, "/api/v1/agent/tasks/next?waitSeconds=30", token: node.token), expect: 200)
        let hash = try #require(task.parameters["model"]?.string)
        let update = try SafetensorsWriter().write(try SafetensorsReader().read([UInt8](try await gateway.send(.GET, "/api/v1/models/blobs/\(hash)", token: node.token).body)))
        let sha = SHA256.hash(data: update).map { String(format: "%02x", $0) }.joined()
        let signature = try node.signing.signature(for: UpdateHeaders.signedMessage(sha256: sha, jobId: bound.id, round: 1, task: task.taskId))
        let uploaded = try await HTTPTestClient.send(try TestEnvironment.gateway() + (try #require(task.parameters["upload"]?.string)), method: .PUT, headers: [
            "Authorization": "Bearer \(node.token)", UpdateHeaders.task: task.taskId.uuidString.lowercased(), UpdateHeaders.signature: signature.base64EncodedString(),
            UpdateHeaders.examples: "10", "Content-Type": "application/octet-stream"], body: Data(update))
        #expect(uploaded.status == 201, "\(uploaded.text)")
        _ = try await gateway.send(.POST, "/api/v1/agent/tasks/\(task.taskId)/status", token: node.token,
                                   json: TaskStatusReport(attempt: task.attempt, sequence: 1, outcome: .succeeded, result: ["sha256": .string(sha)]))
        let trained = try await finished(bound.id)
        #expect(trained.state == .succeeded && trained.completedRounds == 1, "\(trained.error ?? "")")
        #expect(trained.aggregator == aggregator)

        // A bound job waiting for its first round fails once the deployment stops, saying so.
        let waiting = try gateway.decode(JobView.self, try await create(job("waiting", deployment: deployment.id, minAvailableClients: 2)), expect: 201)
        _ = try await placements.change(deployment.id, "stop", token: token)
        let failed = try await finished(waiting.id)
        #expect(failed.state == .failed)
        #expect(failed.error?.contains(deployment.id.uuidString.lowercased()) == true && failed.error?.contains("stopped") == true, "\(failed.error ?? "")")
    }
}}
