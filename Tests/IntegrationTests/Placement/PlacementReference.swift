import CumulusAPI
import Foundation
import PlacementCore
import Testing

/// The shared reference tables (through SharedDataSupport) and an independent
/// re-statement of the placement models from their documented definitions (PlacementCore's
/// CostModel, RoundTimeModel, TransferModel), used to check the service's answers by brute force.
enum PlacementReference {
    /// Participants in five regions across AWS and GCP (ap-northeast-1 has latencies but no
    /// prices; eu-central-1 has two participants, so it is the most common region).
    static let participants = [
        ParticipantLocation(provider: "aws", region: "us-east-1"), ParticipantLocation(provider: "aws", region: "eu-central-1", count: 2),
        ParticipantLocation(provider: "aws", region: "ap-northeast-1"), ParticipantLocation(provider: "gcp", region: "europe-west4"),
        ParticipantLocation(provider: "gcp", region: "asia-southeast1"),
    ]

    static var participantRegions: [RegionID] {
        participants.flatMap { p in Array(repeating: RegionID(Provider(catalogueName: p.provider)!, p.region), count: p.count ?? 1) }
    }

    struct Option {
        var offer: InstanceOffer
        var cost: Double
        var time: Double
    }

    /// Monthly cost and round time of one aggregator on `offer`, from the definitions: 730 h of
    /// the hourly price, plus per round the model down (sender: the aggregator) and the update up
    /// (sender: the participant) at the sender's egress price; round time = the slowest
    /// participant's RTT + both transfers at min(1 Gbit/s, 6 MiB window / RTT).
    static func evaluate(_ catalogue: CloudCatalogue, _ offer: InstanceOffer, participants: [RegionID], modelBytes: Double,
                         roundsPerMonth: Double) -> Option? {
        var time = 0.0, egress = 0.0
        for participant in participants {
            guard let rtt = catalogue.latency.rttMilliseconds(between: offer.region.id, and: participant) else { return nil }
            let throughput = rtt > 0 ? min(1e9, 6 * 1024 * 1024 * 8 / (rtt / 1000)) : 1e9
            time = max(time, rtt / 1000 + 2 * modelBytes * 8 / throughput)
            egress += modelBytes / 1e9 * price(catalogue.egress, from: offer.region.id, to: participant)
            egress += modelBytes / 1e9 * price(catalogue.egress, from: participant, to: offer.region.id)
        }
        return Option(offer: offer, cost: offer.hourlyUSD * 730 + egress * roundsPerMonth, time: time)
    }

    static func price(_ table: EgressPriceTable, from a: RegionID, to b: RegionID) -> Double {
        let tariff = table.regionOverrides[a] ?? table.providers[a.provider] ?? table.fallback
        if a == b { return tariff.sameRegionPerGB }
        return a.provider == b.provider ? tariff.interRegionPerGB : tariff.internetPerGB
    }

    static func dominates(_ a: (cost: Double, time: Double), _ b: (cost: Double, time: Double)) -> Bool {
        a.cost <= b.cost && a.time <= b.time && (a.cost < b.cost || a.time < b.time)
    }

    /// Dominance beyond floating-point noise: the service and this reference add the same terms
    /// in different orders, so equal options may differ in the last bits.
    static func strictlyBetter(_ a: (cost: Double, time: Double), than b: (cost: Double, time: Double)) -> Bool {
        let costTolerance = 1e-9 * max(1, abs(b.cost)), timeTolerance = 1e-9 * max(1, abs(b.time))
        return a.cost <= b.cost + costTolerance && a.time <= b.time + timeTolerance
            && (a.cost < b.cost - costTolerance || a.time < b.time - timeTolerance)
    }

    static func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * max(1, abs(a), abs(b)) }
}

/// Calls the placement API through the gateway.
struct PlacementAPIClient {
    let gateway: GovernanceClient

    func create(_ body: NewPlacement, token: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> PlacementView {
        try gateway.decode(PlacementView.self, try await gateway.send(.POST, "/api/v1/placements", token: token, json: body), expect: 201,
                           sourceLocation: sourceLocation)
    }

    func deploy(_ body: NewDeployment, token: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> DeploymentView {
        try gateway.decode(DeploymentView.self, try await gateway.send(.POST, "/api/v1/deployments", token: token, json: body), expect: 201,
                           sourceLocation: sourceLocation)
    }

    func deployment(_ id: UUID, token: String) async throws -> DeploymentView {
        try gateway.decode(DeploymentView.self, try await gateway.send(.GET, "/api/v1/deployments/\(id)", token: token), expect: 200)
    }

    func change(_ id: UUID, _ action: String, token: String, expect status: Int = 200, sourceLocation: SourceLocation = #_sourceLocation) async throws -> DeploymentView {
        try gateway.decode(DeploymentView.self, try await gateway.send(.POST, "/api/v1/deployments/\(id)/\(action)", token: token), expect: status,
                           sourceLocation: sourceLocation)
    }
}
