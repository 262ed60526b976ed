/// How long it takes to move bytes between two regions, given their round-trip time.
///
/// Assumption: one TCP flow per transfer whose throughput is the smaller of the link rate and the
/// window limit `window / RTT` (a long-haul flow cannot have more than one window in flight per
/// round trip). Defaults: a 1 Gbit/s sustained per-flow rate between cloud VMs, and a 6 MiB
/// window, the Linux default maximum receive buffer (`net.ipv4.tcp_rmem`). So a nearby
/// participant is link-bound and a distant one is window-bound, as measured WAN transfers are.
/// Slow start, loss and the aggregator's NIC (shared by all participants) are not modelled: the
/// catalogues carry no NIC bandwidth, so round time depends on the region, not the instance type.
public struct TransferModel: Sendable, Hashable, Codable {
    public var linkBitsPerSecond: Double
    /// nil disables the window limit (pure link-rate model).
    public var tcpWindowBytes: Double?

    /// Both must be positive: a zero rate would make every transfer take forever.
    public init(linkBitsPerSecond: Double = 1e9, tcpWindowBytes: Double? = 6 * 1024 * 1024) {
        precondition(linkBitsPerSecond > 0 && (tcpWindowBytes ?? 1) > 0, "transfer rates must be positive")
        self.linkBitsPerSecond = linkBitsPerSecond
        self.tcpWindowBytes = tcpWindowBytes
    }

    public static let `default` = TransferModel()

    public func throughputBitsPerSecond(rttMilliseconds: Double) -> Double {
        guard let window = tcpWindowBytes, rttMilliseconds > 0 else { return linkBitsPerSecond }
        return min(linkBitsPerSecond, window * 8 / (rttMilliseconds / 1000))
    }

    public func transferSeconds(bytes: Double, rttMilliseconds: Double) -> Double {
        bytes * 8 / throughputBitsPerSecond(rttMilliseconds: rttMilliseconds)
    }
}
