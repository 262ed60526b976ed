import CumulusAPI
import CumulusKit
import Foundation
import Hummingbird
import Logging
import PlacementCore
import PostgresNIO
import Prometheus
import Testing

@testable import PlacementService

@Suite struct PlacementServiceTests {
    @Test func everyPlacementRouteIsDocumented() throws {
        let definition = try PlacementService.definition(settings: PlacementSettings())
        #expect(definition.service == .placement)
        let routes = try definition.registeredRoutes()
        #expect(routes.count == 8)
        #expect(definition.openAPI.undocumented(routes) == [])
    }

    @Test func settingsNeedPricesAndLatenciesTogether() throws {
        #expect(throws: ConfigurationError.self) { try PlacementSettings.fromEnvironment(["CUMULUS_PLACEMENT_PRICE_FILES": "/tmp/a.csv"]) }
        #expect(throws: ConfigurationError.self) { try PlacementSettings.fromEnvironment(["CUMULUS_PLACEMENT_LATENCY_FILE": "/tmp/l.csv"]) }
        #expect(throws: ConfigurationError.self) { try PlacementSettings.fromEnvironment(["CUMULUS_PLACEMENT_ORCHESTRATOR_URL": "not a url"]) }
        let settings = try PlacementSettings.fromEnvironment([
            "CUMULUS_PLACEMENT_PRICE_FILES": "/a.csv, /b.csv", "CUMULUS_PLACEMENT_LATENCY_FILE": "/l.csv",
            "CUMULUS_PLACEMENT_ORCHESTRATOR_URL": "http://127.0.0.1:8104",
        ])
        #expect(settings.priceFiles == ["/a.csv", "/b.csv"])
        #expect(settings.orchestratorURL?.port == 8104)
        // A catalogue file that is not there stops the service with its path.
        #expect {
            try PlacementService.definition(settings: settings)
        } throws: { "\($0)".contains("/a.csv") }
    }

    /// Each bad value is refused naming its field and, where there is one, the limit.
    @Test func badInputNamesTheFieldAndTheLimit() {
        let base = NewPlacement(federationId: UUID(), participants: [ParticipantLocation(provider: "aws", region: "eu-west-1")], modelBytes: 1e8,
                                roundIntervalSeconds: 3600)
        func refusal(_ change: (inout NewPlacement) -> Void) -> (field: String?, limit: String?) {
            var body = base
            change(&body)
            do { _ = try PlacementValidation.question(body, participants: [RegionID(.aws, "eu-west-1")]) } catch let problem as Problem {
                return (problem.details.errors?.first?.field, problem.details.errors?.first?.limit)
            } catch { return ("unexpected \(error)", nil) }
            return (nil, nil)
        }
        #expect(refusal { _ in } == (nil, nil))
        #expect(refusal { $0.modelBytes = -1 } == ("modelBytes", "1 to 1e12 bytes"))
        #expect(refusal { $0.modelBytes = .nan }.field == "modelBytes")
        #expect(refusal { $0.roundIntervalSeconds = nil }.field == "roundIntervalSeconds")
        #expect(refusal { $0.roundsPerMonth = 30 }.field == "roundsPerMonth", "both frequencies")
        #expect(refusal { $0.preference = 1.5 } == ("preference", "0 to 1"))
        #expect(refusal { $0.participants = [] }.field == "participants")
        #expect(refusal { $0.participants = [ParticipantLocation(provider: "ibm", region: "x")] }.field == "participants[0].provider")
        #expect(refusal { $0.participants = [ParticipantLocation(provider: "aws", region: "eu west; drop")] }.field == "participants[0].region")
        #expect(refusal { $0.participants = [ParticipantLocation(provider: "aws", region: "eu-west-1", count: 5000)] }.field == "participants[0].count")
        #expect(refusal { $0.constraints = PlacementConstraintsInput(maxMonthlyCostUSD: -5) }.field == "constraints.maxMonthlyCostUSD")
        #expect(refusal { $0.constraints = PlacementConstraintsInput(minVCPU: 100_000) } == ("constraints.minVCPU", "0 to 4096"))
        #expect(refusal { $0.constraints = PlacementConstraintsInput(allowedProviders: ["aws", "oracle"]) }.field == "constraints.allowedProviders[1]")
        #expect(refusal { $0.constraints = PlacementConstraintsInput(residency: "mars") }.field == "constraints.residency")
        #expect(refusal { $0.constraints = PlacementConstraintsInput(residency: "countries:Germany") }.field == "constraints.residency")
        #expect(refusal { $0.mode = .hierarchical }.field == "hierarchical")
        #expect(refusal { $0.hierarchical = HierarchicalSettingsInput(regionalCount: 2) }.field == "hierarchical", "hierarchical settings in single mode")
        #expect(refusal {
            $0.mode = .hierarchical
            $0.hierarchical = HierarchicalSettingsInput(regionalCount: 0)
        } == ("hierarchical.regionalCount", "1 to 20"))
        #expect(refusal {
            $0.mode = .hierarchical
            $0.hierarchical = HierarchicalSettingsInput(regionalCount: 2, populationSize: 500, generations: 1000)
        } == ("hierarchical.generations", "200000"))
    }

    @Test func residencyRulesParse() throws {
        #expect(try PlacementValidation.residency("eu") == .europeanUnion)
        #expect(try PlacementValidation.residency("anywhere") == .anywhere)
        #expect(try PlacementValidation.residency("continents:europe,northAmerica") == .continents([.europe, .northAmerica]))
        #expect(try PlacementValidation.residency("countries:de,FR") == .countries(["DE", "FR"]))
    }

    /// One participant per organisation, in the region most of its nodes are; unlocated nodes
    /// and unknown providers left out.
    @Test func participantsComeFromNodesOnePerOrganisation() {
        let a = UUID(uuidString: "00000000-0000-0000-0000-00000000000a")!, b = UUID(uuidString: "00000000-0000-0000-0000-00000000000b")!
        func node(_ organisation: UUID, _ provider: String?, _ region: String?) -> NodeView {
            NodeView(id: UUID(), organisationId: organisation, federationId: UUID(), hostname: "n",
                     location: NodeLocation(provider: provider, region: region), specs: NodeSpecs(vcpus: 1, memoryBytes: 1, diskBytes: 1),
                     labels: [:], status: .active, registeredAt: Date(), lastHeartbeatAt: nil, telemetry: nil, datasets: [], agentVersion: "t",
                     signingPublicKey: "", agreementPublicKey: "")
        }
        let nodes = [node(a, "aws", "eu-west-1"), node(a, "aws", "us-east-1"), node(a, "AWS", "us-east-1"), node(b, "gcp", "europe-west4"),
                     node(b, nil, nil), node(b, "onprem", "basement")]
        #expect(ParticipantResolver.participants(from: nodes) == [RegionID(.aws, "us-east-1"), RegionID(.gcp, "europe-west4")])
    }

    /// On the built-in catalogue: the answer's front holds exactly the non-dominated feasible
    /// options by brute force, and the named points are on it.
    @Test func singleAnswerIsTheBruteForceFront() throws {
        let catalogue = DefaultCatalogue.catalogue
        let participants = [RegionID(.aws, "us-east-1"), RegionID(.aws, "eu-central-1"), RegionID(.gcp, "europe-west4")]
        var body = NewPlacement(federationId: UUID(), modelBytes: 5e7, roundIntervalSeconds: 1800, constraints: PlacementConstraintsInput(minVCPU: 2))
        body.participants = participants.map { ParticipantLocation(provider: $0.provider.rawValue, region: $0.name) }
        let answer = try PlacementEngine().answer(try PlacementValidation.question(body, participants: participants), catalogue: catalogue)
        let planner = AggregatorPlanner(catalogue: catalogue)
        let workload = FederationWorkload(participants: participants, modelBytes: 5e7, schedule: .interval(seconds: 1800))
        let feasible = catalogue.offers.filter { $0.vCPU >= 2 }.compactMap { try? planner.evaluate($0, for: workload).get().objectives }
        let front = answer.front.map { ObjectivePoint(cost: $0.monthlyCostUSD, time: $0.roundSeconds) }
        #expect(!front.isEmpty)
        for point in front { #expect(!feasible.contains { $0.dominates(point) }, "\(point) is dominated") }
        for option in feasible { #expect(front.contains { $0 == option || $0.dominates(option) }, "\(option) is neither on the front nor dominated") }
        #expect(answer.costFirst == answer.front.first && answer.latencyFirst == answer.front.last)
        #expect(answer.recommended?.frontIndex != nil && answer.knee?.frontIndex != nil)
        #expect(Set(answer.baselines.map(\.kind)) == ["cheapestInstance", "random", "mostCommonParticipantRegion"])
    }

    @Test func gravitonAndAxionTypesGetArmImages() {
        #expect(TerraformRenderer.architecture(provider: "aws", instanceType: "m6g.large") == "arm64")
        #expect(TerraformRenderer.architecture(provider: "aws", instanceType: "c7gn.xlarge") == "arm64")
        #expect(TerraformRenderer.architecture(provider: "aws", instanceType: "g5g.xlarge") == "arm64")
        #expect(TerraformRenderer.architecture(provider: "aws", instanceType: "g4dn.xlarge") == "x86_64")
        #expect(TerraformRenderer.architecture(provider: "aws", instanceType: "m5.large") == "x86_64")
        #expect(TerraformRenderer.architecture(provider: "gcp", instanceType: "t2a-standard-4") == "arm64")
        #expect(TerraformRenderer.architecture(provider: "gcp", instanceType: "e2-standard-2") == "x86_64")
        #expect(TerraformRenderer.hcl("a\"b${c}") == "\"a\\\"b$${c}\"")
    }
}
