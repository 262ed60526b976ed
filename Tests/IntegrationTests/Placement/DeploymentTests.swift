import CumulusAPI
import CumulusKit
import Foundation
import Testing

/// Deployments of chosen points: embedded endpoints that really listen and say who they are,
/// aggregator-hours on the usage stream when they start and stop, and Terraform rendered per
/// deployment with a clear failure when the terraform binary is missing.
@Suite struct DeploymentTests {
    @Test func embeddedDeploymentsListenAndMeterTheirHours() async throws {
        let fixture = try await FederationFixture.make("deploy", participants: 1)
        let api = PlacementAPIClient(gateway: fixture.gateway)
        let token = fixture.participants[0].adminToken
        let placement = try await api.create(PlacementAPITests.scenario(fixture.federation.id), token: token)
        let chosen = try #require(placement.costFirst)

        let running = try await api.deploy(NewDeployment(placementId: placement.id, point: "costFirst"), token: token)
        #expect(running.status == .running && running.provisioner == .embedded && running.frontIndex == chosen.frontIndex)
        #expect(running.aggregators.count == 1 && running.aggregators[0].site == chosen.site && running.aggregators[0].role == "single")
        let endpoint = try #require(running.endpoint)
        let identity = try GovernanceClient.decoder.decode(AggregatorIdentity.self, from: try await HTTPTestClient.send(endpoint + "/healthz").body)
        #expect(identity.deploymentId == running.id && identity.federationId == fixture.federation.id && identity.site == chosen.site && identity.status == "ok")
        #expect(try await api.deployment(running.id, token: token).endpoint == endpoint, "the coordinator reads the endpoint here")
        let listed = try fixture.gateway.decode(DeploymentList.self, try await fixture.gateway.send(
            .GET, "/api/v1/deployments?federationId=\(fixture.federation.id)&status=running", token: token), expect: 200)
        #expect(listed.deployments.map(\.id) == [running.id])
        #expect(try fixture.gateway.problem(try await fixture.gateway.send(.POST, "/api/v1/deployments/\(running.id)/start", token: token), status: 409)
            .detail?.contains("running") == true)

        let stopped = try await api.change(running.id, "stop", token: token)
        #expect(stopped.status == .stopped && stopped.endpoint == nil)
        await #expect(throws: (any Error).self, "a stopped endpoint no longer answers") { _ = try await HTTPTestClient.send(endpoint + "/healthz") }
        _ = try fixture.gateway.problem(try await fixture.gateway.send(.POST, "/api/v1/deployments/\(running.id)/stop", token: token), status: 409)

        // A start event (0 h), interval events while it ran (test.sh meters every 2 s), a stop
        // event: one chain of intervals, each starting where the last ended, covering the run.
        let events = try await usage(of: running.id, stops: 1)
        let phases = events.map { $0.fields["phase"] ?? "" }
        #expect(phases.first == "start" && phases.last == "stop" && phases.dropFirst().dropLast().allSatisfy { $0 == "interval" }, "\(phases)")
        for event in events {
            #expect(event.fields["kind"] == "aggregator-hours" && event.fields["source"] == "placement")
            #expect(event.fields["federation"] == fixture.federation.id.uuidString.lowercased())
            #expect(event.fields["provider"] == chosen.site.provider && event.fields["region"] == chosen.site.region
                && event.fields["instanceType"] == chosen.site.instanceType)
            #expect(event.fields["vcpus"] == String(chosen.site.vCPU))
        }
        #expect(Set(events.compactMap { $0.fields["eventId"] }).count == events.count)
        #expect(Double(events[0].fields["hours"] ?? "") == 0)
        let times = try events.map { (try UsageTimestamp.parse($0.fields["start"]), try UsageTimestamp.parse($0.fields["end"])) }
        #expect(zip(times, times.dropFirst()).allSatisfy { $0.1 == $1.0 }, "each interval starts where the previous ended")
        let hours = events.compactMap { Double($0.fields["hours"] ?? "") }.reduce(0, +)
        let span = times.last!.1.timeIntervalSince(times.first!.0) / 3600
        #expect(abs(hours - span) < 1e-6, "metered \(hours) h over a span of \(span) h")
        #expect(abs(times.last!.1.timeIntervalSince(try #require(stopped.stoppedAt))) < 1, "the last event ends when the deployment stopped")
        #expect(abs(times.first!.0.timeIntervalSince(try #require(stopped.startedAt))) < 1, "the first event starts when it started")

        // Started again: running with a new endpoint and a new start event.
        let again = try await api.change(running.id, "start", token: token)
        #expect(again.status == .running && again.endpoint != nil)
        #expect(try await HTTPTestClient.send(try #require(again.endpoint) + "/identity").status == 200)
        _ = try await api.change(running.id, "stop", token: token)
        let all = try await usage(of: running.id, stops: 2).map { $0.fields["phase"] ?? "" }
        #expect(all.filter { $0 == "start" }.count == 2 && all.filter { $0 == "stop" }.count == 2)
    }

    @Test func aHierarchyDeploysAGlobalAndItsRegionalAggregators() async throws {
        let fixture = try await FederationFixture.make("deployk", participants: 1)
        let api = PlacementAPIClient(gateway: fixture.gateway)
        let token = fixture.participants[0].adminToken
        var body = PlacementAPITests.scenario(fixture.federation.id)
        body.mode = .hierarchical
        body.hierarchical = HierarchicalSettingsInput(regionalCount: 2, populationSize: 20, generations: 10, seed: 3)
        let placement = try await api.create(body, token: token)
        let deployment = try await api.deploy(NewDeployment(placementId: placement.id, point: "knee"), token: token)
        #expect(deployment.aggregators.map(\.role) == ["global", "regional", "regional"])
        #expect(deployment.aggregators.compactMap(\.slot) == [0, 1])
        for aggregator in deployment.aggregators {
            let url = try #require(aggregator.endpoint)
            let identity = try GovernanceClient.decoder.decode(AggregatorIdentity.self, from: try await HTTPTestClient.send(url + "/identity").body)
            #expect(identity.aggregatorId == aggregator.id && identity.role == aggregator.role)
        }
        #expect(deployment.endpoint == deployment.aggregators[0].endpoint, "a job binds to the global aggregator")
        _ = try await api.change(deployment.id, "stop", token: token)
        let events = try await usage(of: deployment.id, stops: 3)
        #expect(events.filter { $0.fields["phase"] == "start" }.count == 3, "one per aggregator")
        #expect(Set(events.compactMap { $0.fields["aggregator"] }) == Set(deployment.aggregators.map { $0.id.uuidString.lowercased() }))
    }

    @Test func terraformIsRenderedPerDeploymentAndRunOnlyWhenAsked() async throws {
        let fixture = try await FederationFixture.make("deploytf", participants: 1)
        let api = PlacementAPIClient(gateway: fixture.gateway)
        let token = fixture.participants[0].adminToken
        let placement = try await api.create(PlacementAPITests.scenario(fixture.federation.id), token: token)
        let latencyFirst = try #require(placement.latencyFirst)
        let rendered = try await api.deploy(NewDeployment(placementId: placement.id, point: "latencyFirst", provisioner: .terraform), token: token)
        #expect(rendered.status == .rendered && rendered.endpoint == nil)
        let directory = try #require(rendered.terraformDirectory)
        let main = try String(contentsOfFile: directory + "/main.tf", encoding: .utf8)
        #expect(main.contains("region = \"\(latencyFirst.site.region)\""))
        #expect(main.contains("instance_type           = \"\(latencyFirst.site.instanceType)\""))
        #expect(FileManager.default.fileExists(atPath: directory + "/modules/\(latencyFirst.site.provider)/main.tf"))
        #expect(FileManager.default.fileExists(atPath: directory + "/modules/cloud-init/aggregator.yaml.tftpl"))

        // Asking to apply fails before anything runs, saying what is missing: the terraform binary
        // (where none is installed), else the aggregator download the VMs would need (the test
        // suite sets none); the deployment stays rendered.
        let failure = try fixture.gateway.problem(try await fixture.gateway.send(.POST, "/api/v1/deployments/\(rendered.id)/start", token: token), status: 503)
        let detail = failure.detail ?? ""
        #expect((detail.contains("terraform binary is not installed") && detail.contains("CUMULUS_PLACEMENT_TERRAFORM_BIN"))
                || detail.contains("CUMULUS_PLACEMENT_AGGREGATOR_DOWNLOAD_URL is not set"), "\(detail)")
        let after = try await api.deployment(rendered.id, token: token)
        #expect(after.status == .rendered && after.lastError == detail)
        #expect(try await usage(of: rendered.id, stops: 0, wait: .seconds(2)).isEmpty, "nothing ran, nothing is billed")
    }

    /// The deployment's events on cumulus.usage, in stream order, once `stops` stop events are
    /// there (or, with 0, after `wait`).
    func usage(of deployment: UUID, stops: Int, wait: Duration = .seconds(20)) async throws -> [StreamMessage] {
        let pool = RedisPool(url: try TestEnvironment.redis(), maximumConnections: 1)
        let end = ContinuousClock.now + wait
        var found: [StreamMessage] = []
        repeat {
            found = try await pool.read("cumulus.usage", after: "0-0", count: 1_000_000, block: .milliseconds(10))
                .filter { $0.fields["deployment"] == deployment.uuidString.lowercased() }
            if stops > 0, found.count { $0.fields["phase"] == "stop" } >= stops { break }
            try await Task.sleep(for: .milliseconds(200))
        } while ContinuousClock.now < end
        return found
    }
}

enum UsageTimestamp {
    struct Malformed: Error { let text: String? }

    /// ISO 8601 UTC with milliseconds, as the usage stream carries it.
    static func parse(_ text: String?) throws -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let text, let date = formatter.date(from: text) else { throw Malformed(text: text) }
        return date
    }
}
