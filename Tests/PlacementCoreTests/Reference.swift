import Foundation
@testable import PlacementCore

/// Independent re-statements of the models and of dominance, written from their documented
/// definitions, used to check the optimised code by brute force.
enum Reference {
    static let hours = 730.0

    static func dominates(_ a: ObjectivePoint, _ b: ObjectivePoint) -> Bool {
        (a.cost <= b.cost && a.time <= b.time) && (a.cost < b.cost || a.time < b.time)
    }

    /// Sender's tariff; same region / same provider / other provider.
    static func egressPerGB(_ table: EgressPriceTable, from a: RegionID, to b: RegionID) -> Double {
        let tariff = table.regionOverrides[a] ?? table.providers[a.provider] ?? table.fallback
        if a == b { return tariff.sameRegionPerGB }
        return a.provider == b.provider ? tariff.interRegionPerGB : tariff.internetPerGB
    }

    /// Seconds for model down + update up between two regions, or nil without latency.
    static func exchange(
        _ catalogue: CloudCatalogue, _ a: RegionID, _ b: RegionID, model: Double, update: Double,
        transfer: TransferModel = .default
    ) -> Double? {
        guard let rtt = catalogue.latency.rttMilliseconds(between: a, and: b) else { return nil }
        var bitsPerSecond = transfer.linkBitsPerSecond
        if let window = transfer.tcpWindowBytes, rtt > 0 { bitsPerSecond = min(bitsPerSecond, window * 8 * 1000 / rtt) }
        return rtt / 1000 + (model + update) * 8 / bitsPerSecond
    }

    /// Monthly cost and round time of one aggregator on `offer`, or nil without latency.
    static func single(
        _ catalogue: CloudCatalogue, _ offer: InstanceOffer, _ workload: FederationWorkload
    ) -> ObjectivePoint? {
        let rounds = workload.schedule.roundsPerMonth(hoursPerMonth: hours)
        var egressPerRound = 0.0
        var time = 0.0
        for participant in workload.participants {
            guard let seconds = exchange(catalogue, offer.region.id, participant, model: workload.modelBytes, update: workload.updateBytes)
            else { return nil }
            time = max(time, seconds)
            egressPerRound += workload.modelBytes / 1e9 * egressPerGB(catalogue.egress, from: offer.region.id, to: participant)
            egressPerRound += workload.updateBytes / 1e9 * egressPerGB(catalogue.egress, from: participant, to: offer.region.id)
        }
        return ObjectivePoint(cost: offer.hourlyUSD * hours + egressPerRound * rounds, time: time)
    }

    static func meetsStaticRules(_ offer: InstanceOffer, _ constraints: PlacementConstraints) -> Bool {
        if let providers = constraints.allowedProviders, !providers.contains(offer.provider) { return false }
        if let regions = constraints.allowedRegions, !regions.contains(offer.region.id) { return false }
        switch constraints.residency {
        case .anywhere: break
        case let .continents(allowed):
            guard let continent = offer.region.geography?.continent, allowed.contains(continent) else { return false }
        case let .countries(allowed):
            guard let country = offer.region.geography?.countryCode, allowed.contains(country) else { return false }
        }
        return offer.vCPU >= constraints.minVCPU && offer.memoryGB >= constraints.minMemoryGB
    }

    static func withinLimits(_ point: ObjectivePoint, _ constraints: PlacementConstraints) -> Bool {
        point.cost <= (constraints.maxMonthlyCostUSD ?? .infinity) && point.time <= (constraints.maxRoundTimeSeconds ?? .infinity)
    }

    /// Non-dominated subset by the O(n²) definition.
    static func bruteForceFront(_ points: [ObjectivePoint]) -> [Int] {
        points.indices.filter { i in !points.contains { dominates($0, points[i]) } }
    }

    /// Cost and round time of a hierarchical genome, from the model's definition.
    static func hierarchical(
        _ catalogue: CloudCatalogue, _ problem: HierarchicalProblem, _ genome: HierarchicalGenome,
        _ workload: FederationWorkload
    ) -> ObjectivePoint {
        let rounds = workload.schedule.roundsPerMonth(hoursPerMonth: hours)
        let m = workload.modelBytes, u = workload.updateBytes
        let global = problem.candidates[genome.global].region.id
        var cost = problem.candidates[genome.global].hourlyUSD * hours
        for site in genome.regional { cost += problem.candidates[site].hourlyUSD * hours }
        var time = 0.0
        for (p, participant) in workload.participants.enumerated() {
            let regional = problem.candidates[genome.regional[genome.assignment[p]]].region.id
            time = max(time, exchange(catalogue, regional, participant, model: m, update: u)!
                + exchange(catalogue, global, regional, model: m, update: u)!)
            cost += rounds * (m / 1e9 * egressPerGB(catalogue.egress, from: regional, to: participant)
                + u / 1e9 * egressPerGB(catalogue.egress, from: participant, to: regional))
        }
        for slot in Set(genome.assignment) {
            let regional = problem.candidates[genome.regional[slot]].region.id
            cost += rounds * (m / 1e9 * egressPerGB(catalogue.egress, from: global, to: regional)
                + u / 1e9 * egressPerGB(catalogue.egress, from: regional, to: global))
        }
        return ObjectivePoint(cost: cost, time: time)
    }

    /// Every genome of a small hierarchical problem.
    static func allGenomes(candidates: Int, k: Int, participants: Int) -> [HierarchicalGenome] {
        func tuples(_ length: Int, _ base: Int) -> [[Int]] {
            (0..<length).reduce([[]]) { partial, _ in partial.flatMap { prefix in (0..<base).map { prefix + [$0] } } }
        }
        let regionals = tuples(k, candidates), assignments = tuples(participants, k)
        return (0..<candidates).flatMap { g in
            regionals.flatMap { r in assignments.map { HierarchicalGenome(global: g, regional: r, assignment: $0) } }
        }
    }

    static func close(_ a: Double, _ b: Double, relative: Double = 1e-9) -> Bool {
        abs(a - b) <= relative * max(1, abs(a), abs(b))
    }
}
