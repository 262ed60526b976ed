/// Monthly cost of running aggregators.
///
/// monthly cost = Σ aggregator instances (hours per month × hourly price)
///              + rounds per month × per-round egress.
/// Egress is billed by the sender's cloud, out of the sender's region (ingress is free):
/// - the model sent down is billed at the aggregator's egress price, to the federation;
/// - each update sent up is billed at the participant's egress price, to that participant.
/// Both are included in the total (the cost the whole federation pays, which placement changes
/// in both directions: an aggregator in a participant's provider makes its upload cheaper too)
/// and kept apart in ``CostBreakdown`` so each party can see its share.
public struct CostModel: Sendable, Hashable {
    /// 730 h = 8,760 h / 12, the convention AWS, GCP and Azure use for monthly estimates; the
    /// aggregator runs all month (it must be there whenever a round starts).
    public var hoursPerMonth: Double
    public var egress: EgressPriceTable

    public init(egress: EgressPriceTable, hoursPerMonth: Double = 730) {
        self.egress = egress
        self.hoursPerMonth = hoursPerMonth
    }

    public func instanceMonthlyUSD(_ offer: InstanceOffer) -> Double {
        hoursPerMonth * offer.hourlyUSD
    }

    /// USD for sending `bytes` from `source` to `destination` once (1 GB = 10^9 bytes).
    public func transferUSD(bytes: Double, from source: RegionID, to destination: RegionID) -> Double {
        bytes / 1e9 * egress.pricePerGB(from: source, to: destination)
    }

    /// Per-round egress of one exchange: the model from server to client (billed to the
    /// server), the update back (billed to the client).
    public func exchangeUSD(
        server: RegionID, client: RegionID, downBytes: Double, upBytes: Double
    ) -> (server: Double, client: Double) {
        (transferUSD(bytes: downBytes, from: server, to: client),
         transferUSD(bytes: upBytes, from: client, to: server))
    }
}
