import CumulusAPI
import CumulusKit
import Foundation
import PlacementCore
import SharedDataSupport
import Testing

/// The placement service through the gateway, on the shared price and latency tables (deploy/test.sh
/// points the service at them): fronts checked by brute force, NSGA-II reproducible for a seed,
/// participants from the orchestrator, tenancy and bad input.
@Suite struct PlacementAPITests {
    static func scenario(_ federation: UUID, constraints: PlacementConstraintsInput? = PlacementConstraintsInput(minVCPU: 2, minMemoryGB: 8),
                         preference: Double = 0.5) -> NewPlacement {
        NewPlacement(federationId: federation, participants: PlacementReference.participants, modelBytes: 100e6, rounds: 500,
                     roundIntervalSeconds: 3600, constraints: constraints, preference: preference)
    }

    /// Every point the service lists or recommends is Pareto-optimal over every feasible
    /// (provider, region, instance type) of the shared tables, its figures are the model's, and
    /// every feasible option is on the front or dominated by it — for several constraint sets.
    @Test func frontsOnTheSharedTablesAreExactByBruteForce() async throws {
        let catalogue = try SharedData.catalogue()
        let fixture = try await FederationFixture.make("placement", participants: 1)
        let api = PlacementAPIClient(gateway: fixture.gateway)
        let token = fixture.participants[0].adminToken
        let participants = PlacementReference.participantRegions
        #expect(Set(participants).count == 5 && Set(participants.map(\.provider)) == [.aws, .gcp])

        let cases: [(String, PlacementConstraintsInput)] = [
            ("2 vCPU, 8 GB", PlacementConstraintsInput(minVCPU: 2, minMemoryGB: 8)),
            ("EU only, at most 9.9 s per round", PlacementConstraintsInput(maxRoundSeconds: 9.9, minVCPU: 2, residency: "eu")),
            ("Frankfurt, Eemshaven or Oregon, under 400 USD", PlacementConstraintsInput(maxMonthlyCostUSD: 400, allowedProviders: ["gcp", "aws"],
                                                                          allowedRegions: [CloudRegion(provider: "aws", region: "eu-central-1"),
                                                                                           CloudRegion(provider: "gcp", region: "europe-west4"),
                                                                                           CloudRegion(provider: "gcp", region: "us-west1")])),
        ]
        for (label, constraints) in cases {
            let view = try await api.create(Self.scenario(fixture.federation.id, constraints: constraints), token: token)
            #expect(view.catalogue.source == "files" && view.catalogue.offers == catalogue.offers.count,
                    "the service must plan on the shared tables (CUMULUS_PLACEMENT_PRICE_FILES / _LATENCY_FILE from deploy/test.sh); it uses \(view.catalogue)")
            let rules = try Self.rules(constraints)
            let feasible = catalogue.offers.compactMap { offer -> PlacementReference.Option? in
                guard rules.offerViolation(offer) == nil,
                      let option = PlacementReference.evaluate(catalogue, offer, participants: participants, modelBytes: 100e6, roundsPerMonth: view.roundsPerMonth),
                      rules.objectiveViolation(monthlyCostUSD: option.cost, roundTimeSeconds: option.time) == nil else { return nil }
                return option
            }
            #expect(!feasible.isEmpty && !view.front.isEmpty, "\(label): nothing feasible")
            #expect(view.feasibleOffers == feasible.count, "\(label): the service counts \(view.feasibleOffers ?? -1) feasible, brute force \(feasible.count)")
            var listed = view.front
            listed += [view.recommended, view.knee, view.costFirst, view.latencyFirst].compactMap { $0 }
            for point in listed {
                let match = feasible.first { $0.offer.region.id.provider.rawValue == point.site.provider && $0.offer.region.name == point.site.region
                    && $0.offer.instanceType == point.site.instanceType }
                let option = try #require(match, "\(label): \(point.site) is not a feasible option")
                #expect(PlacementReference.close(option.cost, point.monthlyCostUSD) && PlacementReference.close(option.time, point.roundSeconds),
                        "\(label): \(point.site) listed at (\(point.monthlyCostUSD), \(point.roundSeconds)), the model gives (\(option.cost), \(option.time))")
                let dominator = feasible.first { PlacementReference.strictlyBetter(($0.cost, $0.time), than: (point.monthlyCostUSD, point.roundSeconds)) }
                #expect(dominator == nil, "\(label): \(point.site) is dominated by \(String(describing: dominator?.offer))")
                #expect(point.frontIndex.map { view.front[$0] == point } == true, "\(label): a named point is not the front point it names")
            }
            for option in feasible {
                let covered = view.front.contains {
                    (PlacementReference.close($0.monthlyCostUSD, option.cost) && PlacementReference.close($0.roundSeconds, option.time))
                        || PlacementReference.dominates(($0.monthlyCostUSD, $0.roundSeconds), (option.cost, option.time))
                }
                #expect(covered, "\(label): \(option.offer) at (\(option.cost), \(option.time)) is neither on the front nor dominated by it")
            }
            // Cheapest first, fastest last; the baselines are feasible options, never cheaper than
            // the cost-first point nor faster than the latency-first one.
            #expect(zip(view.front, view.front.dropFirst()).allSatisfy { $0.monthlyCostUSD <= $1.monthlyCostUSD && $0.roundSeconds >= $1.roundSeconds })
            #expect(view.baselines.count == 3)
            for baseline in view.baselines {
                guard let option = baseline.option else { continue }
                #expect(feasible.contains { $0.offer.instanceType == option.site.instanceType && $0.offer.region.name == option.site.region })
                let costFirst = try #require(view.savings.first { $0.point == "costFirst" && $0.baseline == baseline.kind })
                let latencyFirst = try #require(view.savings.first { $0.point == "latencyFirst" && $0.baseline == baseline.kind })
                #expect(costFirst.costUSD >= 0 && latencyFirst.roundSeconds >= 0)
                #expect(PlacementReference.close(costFirst.costUSD, option.monthlyCostUSD - view.front[0].monthlyCostUSD))
                print("placement[\(label)] \(baseline.label): \(option.site.provider):\(option.site.region) \(option.site.instanceType) "
                      + "\(String(format: "%.2f", option.monthlyCostUSD)) USD/month, \(String(format: "%.3f", option.roundSeconds)) s; "
                      + "cost-first saves \(String(format: "%.2f", costFirst.costUSD)) USD (\(String(format: "%.1f", costFirst.costPercent)) %), "
                      + "latency-first saves \(String(format: "%.3f", latencyFirst.roundSeconds)) s (\(String(format: "%.1f", latencyFirst.roundPercent)) %)")
            }
            if let first = view.costFirst, let last = view.latencyFirst, let knee = view.knee {
                print("placement[\(label)] front \(view.front.count) points of \(feasible.count) feasible; cost-first \(first.site.provider):\(first.site.region) "
                      + "\(first.site.instanceType) \(String(format: "%.2f", first.monthlyCostUSD)) USD \(String(format: "%.3f", first.roundSeconds)) s; "
                      + "latency-first \(last.site.provider):\(last.site.region) \(last.site.instanceType) \(String(format: "%.2f", last.monthlyCostUSD)) USD "
                      + "\(String(format: "%.3f", last.roundSeconds)) s; knee \(knee.site.region) \(knee.site.instanceType)")
            }
            // Stored as answered.
            let stored = try fixture.gateway.decode(PlacementView.self, try await fixture.gateway.send(.GET, "/api/v1/placements/\(view.id)", token: token), expect: 200)
            #expect(stored == view)
        }
        let list = try fixture.gateway.decode(PlacementList.self, try await fixture.gateway.send(
            .GET, "/api/v1/placements?federationId=\(fixture.federation.id)", token: token), expect: 200)
        #expect(list.placements.count == cases.count)
    }

    /// The same request and seed give the same NSGA-II front, hypervolume and evaluations; the
    /// hypervolume never falls over generations; the front holds no dominated point.
    @Test func hierarchicalPlacementIsDeterministicForASeed() async throws {
        let fixture = try await FederationFixture.make("nsga", participants: 1)
        let api = PlacementAPIClient(gateway: fixture.gateway)
        let token = fixture.participants[0].adminToken
        var body = Self.scenario(fixture.federation.id)
        body.mode = .hierarchical
        body.hierarchical = HierarchicalSettingsInput(regionalCount: 2, populationSize: 40, generations: 40, seed: 7)
        let first = try await api.create(body, token: token)
        let second = try await api.create(body, token: token)
        let evolution = try #require(first.evolution)
        #expect(first.front == second.front && first.evolution == second.evolution && first.recommended == second.recommended)
        #expect(evolution.evaluations == 40 * 41)
        #expect(evolution.hypervolume > 0 && evolution.hypervolumeHistory.count == 41)
        #expect(zip(evolution.hypervolumeHistory, evolution.hypervolumeHistory.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(!first.front.isEmpty)
        for point in first.front {
            #expect(point.regional?.count == 2 && point.assignment?.count == PlacementReference.participantRegions.count)
            #expect(!first.front.contains { PlacementReference.dominates(($0.monthlyCostUSD, $0.roundSeconds), (point.monthlyCostUSD, point.roundSeconds)) })
        }
        #expect(first.baselines.count == 3, "the single-aggregator baselines stand beside a hierarchy too")
        var other = body
        other.hierarchical?.seed = 8
        let reseeded = try await api.create(other, token: token)
        #expect(reseeded.evolution?.seed == 8 && reseeded.evolution?.evaluations == evolution.evaluations)
    }

    /// Without participants in the request, the federation's nodes at the orchestrator say where
    /// they are (asked with the caller's token).
    @Test func participantsComeFromTheOrchestratorsNodes() async throws {
        let fixture = try await FederationFixture.make("placenodes", participants: 1)
        let api = PlacementAPIClient(gateway: fixture.gateway)
        let token = fixture.participants[0].adminToken
        var body = Self.scenario(fixture.federation.id)
        body.participants = nil
        let none = try fixture.gateway.problem(try await fixture.gateway.send(.POST, "/api/v1/placements", token: token, json: body), status: 400)
        #expect(none.errors?.first?.field == "participants", "a federation without located nodes: \(none)")

        _ = try await fixture.enrolInTest(participant: 0, hostname: "placed-1")
        _ = try await fixture.enrolInTest(participant: 0, hostname: "placed-2")
        let view = try await api.create(body, token: token)
        #expect(view.participantsSource == "orchestrator")
        #expect(view.participants == [CloudRegion(provider: "aws", region: "eu-west-1")], "one organisation, its nodes in eu-west-1 (FederationFixture)")
        #expect(!view.front.isEmpty)
    }

    @Test func anotherTenantsPlacementsAndDeploymentsAnswer404() async throws {
        let fixture = try await FederationFixture.make("placetenant", participants: 1)
        let api = PlacementAPIClient(gateway: fixture.gateway)
        let token = fixture.participants[0].adminToken
        let view = try await api.create(Self.scenario(fixture.federation.id), token: token)
        let deployment = try await api.deploy(NewDeployment(placementId: view.id, point: "costFirst", provisioner: .terraform), token: token)
        let outsider = try await fixture.gateway.makeTenant("placeoutsider", adminToken: fixture.platformToken)
        let foreignBody = String(decoding: try JSONEncoder().encode(Self.scenario(fixture.federation.id)), as: UTF8.self)
        try await TenancyProbe.assertCrossTenantDenied(base: try TestEnvironment.gateway(), endpoints: [
            .init(method: .GET, path: "/api/v1/placements/\(view.id)"),
            .init(method: .GET, path: "/api/v1/placements?federationId=\(fixture.federation.id)"),
            .init(method: .POST, path: "/api/v1/placements", body: foreignBody),
            .init(method: .POST, path: "/api/v1/deployments", body: #"{"placementId":"\#(view.id)"}"#),
            .init(method: .GET, path: "/api/v1/deployments/\(deployment.id)"),
            .init(method: .GET, path: "/api/v1/deployments?federationId=\(fixture.federation.id)"),
            .init(method: .POST, path: "/api/v1/deployments/\(deployment.id)/start"),
            .init(method: .POST, path: "/api/v1/deployments/\(deployment.id)/stop"),
        ], foreignToken: outsider.adminToken, secrets: ["eu-central-1", "monthlyCostUSD", "instanceType", "terraform"])
        // Nothing was created for the outsider, and the owner's deployment is as it was.
        #expect(try await api.deployment(deployment.id, token: token).status == .rendered)
    }

    @Test func badInputIsAProblemNamingTheFieldNeverA500() async throws {
        let fixture = try await FederationFixture.make("placebad", participants: 1)
        let gateway = fixture.gateway
        let token = fixture.participants[0].adminToken
        let federation = fixture.federation.id
        func problem(_ path: String, raw: String, status: Int = 400) async throws -> ProblemDetails {
            let answer = try await HTTPTestClient.send(try TestEnvironment.gateway() + path, method: .POST,
                                                       headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"], body: Data(raw.utf8))
            return try gateway.problem(answer, status: status)
        }
        let base = #""federationId":"\#(federation)","participants":[{"provider":"aws","region":"eu-west-1"}],"roundIntervalSeconds":3600"#
        #expect(try await problem("/api/v1/placements", raw: "{not json").errors?.first?.field == "body")
        #expect(try await problem("/api/v1/placements", raw: "{\(base)}").errors?.first?.field == "modelBytes")
        #expect(try await problem("/api/v1/placements", raw: #"{\#(base),"modelBytes":"big"}"#).errors?.first?.field == "modelBytes")
        #expect(try await problem("/api/v1/placements", raw: #"{\#(base),"modelBytes":1e8,"mode":"triple"}"#).errors?.first?.field == "mode")
        #expect(try await problem("/api/v1/placements", raw: #"{\#(base),"modelBytes":1e8,"constraints":{"minVCPU":"two"}}"#).errors?.first?.field == "constraints.minVCPU")
        let preference = try await problem("/api/v1/placements", raw: #"{\#(base),"modelBytes":1e8,"preference":2}"#)
        #expect(preference.errors?.first?.field == "preference" && preference.errors?.first?.limit == "0 to 1")
        let unknownRegion = try await problem("/api/v1/placements", raw: #"""
            {"federationId":"\#(federation)","participants":[{"provider":"aws","region":"eu-west-1"},{"provider":"gcp","region":"moon-base1"}],"roundIntervalSeconds":3600,"modelBytes":1e8}
            """#)
        #expect(unknownRegion.errors?.first?.field == "participants[1].region")
        let huge = try await problem("/api/v1/placements", raw: #"""
            {\#(base),"modelBytes":1e8,"mode":"hierarchical","hierarchical":{"regionalCount":2,"populationSize":500,"generations":900}}
            """#)
        #expect(huge.errors?.first?.field == "hierarchical.generations" && huge.errors?.first?.limit == "200000")
        let impossible = try await problem("/api/v1/placements", raw: #"""
            {\#(base),"modelBytes":1e8,"mode":"hierarchical","hierarchical":{"regionalCount":1},"constraints":{"minVCPU":4096}}
            """#, status: 422)
        #expect(impossible.errors?.first?.field == "constraints")
        let list = try gateway.problem(try await gateway.send(.GET, "/api/v1/placements", token: token), status: 400)
        #expect(list.errors?.first?.field == "federationId")

        let view = try await PlacementAPIClient(gateway: gateway).create(Self.scenario(federation), token: token)
        let index = try await problem("/api/v1/deployments", raw: #"{"placementId":"\#(view.id)","frontIndex":\#(view.front.count)}"#)
        #expect(index.errors?.first?.field == "frontIndex" && index.errors?.first?.limit == String(view.front.count - 1))
        #expect(try await problem("/api/v1/deployments", raw: #"{"placementId":"\#(view.id)","point":"best"}"#).errors?.first?.field == "point")
        #expect(try await problem("/api/v1/deployments", raw: #"{"placementId":"\#(view.id)","provisioner":"ansible"}"#).errors?.first?.field == "provisioner")
        #expect(try await problem("/api/v1/deployments", raw: #"{"placementId":"\#(UUID())"}"#, status: 404).status == 404)
        // No front to deploy: everything excluded.
        let empty = try await PlacementAPIClient(gateway: gateway).create(
            Self.scenario(federation, constraints: PlacementConstraintsInput(maxMonthlyCostUSD: 0.01)), token: token)
        #expect(empty.front.isEmpty && empty.exclusions.contains { $0.reason == "overBudget" })
        #expect(try await problem("/api/v1/deployments", raw: #"{"placementId":"\#(empty.id)"}"#, status: 422).errors?.first?.field == "placementId")
    }

    static func rules(_ input: PlacementConstraintsInput) throws -> PlacementConstraints {
        var rules = PlacementConstraints(maxMonthlyCostUSD: input.maxMonthlyCostUSD, maxRoundTimeSeconds: input.maxRoundSeconds,
                                         minVCPU: input.minVCPU ?? 0, minMemoryGB: input.minMemoryGB ?? 0)
        rules.allowedProviders = input.allowedProviders.map { Set($0.compactMap { Provider(catalogueName: $0) }) }
        rules.allowedRegions = input.allowedRegions.map { Set($0.map { RegionID(Provider(catalogueName: $0.provider)!, $0.region) }) }
        if input.residency == "eu" { rules.residency = .europeanUnion }
        return rules
    }
}
