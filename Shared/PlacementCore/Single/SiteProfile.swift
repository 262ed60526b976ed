/// Everything about an aggregator region that does not depend on the instance type: the round
/// time its participants see and the monthly egress of serving them. Computed once per region,
/// so pricing thousands of instance types costs one addition each.
struct SiteProfile: Sendable {
    let roundTime: RoundTime
    let aggregatorEgressUSD: Double
    let participantEgressUSD: Double

    /// Profile of `site` serving `clients` (distinct regions with their participant counts);
    /// fails with the first pair whose latency is unknown. Egress is per round × `roundsPerMonth`.
    static func make(
        site: RegionID, clients: [(region: RegionID, count: Int)], downBytes: Double, upBytes: Double,
        roundsPerMonth: Double, cost: CostModel, time: RoundTimeModel
    ) -> Result<SiteProfile, Infeasibility> {
        var slowest: RoundTime?
        var serverUSD = 0.0, clientUSD = 0.0
        for (client, count) in clients {
            guard let seconds = time.exchangeSeconds(between: site, and: client, downBytes: downBytes, upBytes: upBytes)
            else { return .failure(.latencyUnknown(client, site)) }
            if slowest == nil || seconds > slowest!.seconds {
                slowest = RoundTime(seconds: seconds, bottleneck: client)
            }
            let usd = cost.exchangeUSD(server: site, client: client, downBytes: downBytes, upBytes: upBytes)
            serverUSD += usd.server * Double(count)
            clientUSD += usd.client * Double(count)
        }
        guard let slowest else { preconditionFailure("a workload has at least one participant") }
        return .success(SiteProfile(
            roundTime: slowest, aggregatorEgressUSD: serverUSD * roundsPerMonth,
            participantEgressUSD: clientUSD * roundsPerMonth))
    }

    /// Distinct participant regions in first-appearance order, with how many participants each
    /// holds: a profile then looks each pair up once, however many participants share a region.
    static func group(_ participants: [RegionID]) -> [(region: RegionID, count: Int)] {
        var position: [RegionID: Int] = [:]
        var groups: [(region: RegionID, count: Int)] = []
        for region in participants {
            if let index = position[region] {
                groups[index].count += 1
            } else {
                position[region] = groups.count
                groups.append((region, 1))
            }
        }
        return groups
    }
}
