/// Communication time of a round. Local training time is left out: it does not depend on where
/// the aggregator runs, so it shifts every option equally and cannot change a front.
///
/// One exchange between a server and a client (aggregator and participant, or global and
/// regional aggregator) = RTT (half for the model's first byte to arrive, half for the
/// update's) + model transfer down + update transfer up, each at ``TransferModel`` throughput.
/// A round waits for its slowest participant, so round time is the maximum over participants.
public struct RoundTimeModel: Sendable, Hashable {
    public var latency: LatencyMatrix
    public var transfer: TransferModel

    public init(latency: LatencyMatrix, transfer: TransferModel = .default) {
        self.latency = latency
        self.transfer = transfer
    }

    /// Seconds for one exchange, or nil when the pair's latency is unknown.
    public func exchangeSeconds(
        between server: RegionID, and client: RegionID, downBytes: Double, upBytes: Double
    ) -> Double? {
        guard let rtt = latency.rttMilliseconds(between: server, and: client) else { return nil }
        return rtt / 1000
            + transfer.transferSeconds(bytes: downBytes, rttMilliseconds: rtt)
            + transfer.transferSeconds(bytes: upBytes, rttMilliseconds: rtt)
    }
}
