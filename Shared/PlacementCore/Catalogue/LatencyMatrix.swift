/// Round-trip times in milliseconds between regions.
///
/// Lookup is symmetric: a measurement from A to B and one from B to A are measurements of the
/// same pair, and all of them are averaged (the shared data has both directions of every pair,
/// and they differ by well under a millisecond). When a pair was never measured:
/// - the same region on both ends → `sameRegionRTTMilliseconds` (default 1 ms: intra-region
///   round trips are well under that; unless a self-pair was measured);
/// - otherwise → `fallbackRTTMilliseconds`, nil by default, meaning "unknown": a placement that
///   needs that pair is then infeasible, with the pair named in the reason.
public struct LatencyMatrix: Sendable, Hashable {
    public var sameRegionRTTMilliseconds: Double
    public var fallbackRTTMilliseconds: Double?
    private var measurements: [PairKey: Measurement] = [:]

    public init(sameRegionRTTMilliseconds: Double = 1, fallbackRTTMilliseconds: Double? = nil) {
        self.sameRegionRTTMilliseconds = sameRegionRTTMilliseconds
        self.fallbackRTTMilliseconds = fallbackRTTMilliseconds
    }

    /// Adds one measurement of the pair (order of `a` and `b` does not matter).
    public mutating func record(_ a: RegionID, _ b: RegionID, rttMilliseconds: Double) {
        measurements[PairKey(a, b), default: Measurement()].add(rttMilliseconds)
    }

    /// Mean of the measurements of this pair, without any fallback.
    public func measuredRTTMilliseconds(between a: RegionID, and b: RegionID) -> Double? {
        measurements[PairKey(a, b)]?.mean
    }

    /// Number of measurements averaged for this pair.
    public func measurementCount(between a: RegionID, and b: RegionID) -> Int {
        measurements[PairKey(a, b)]?.count ?? 0
    }

    /// The RTT used by the models: the measured mean, else the documented fallbacks.
    public func rttMilliseconds(between a: RegionID, and b: RegionID) -> Double? {
        if let measured = measuredRTTMilliseconds(between: a, and: b) { return measured }
        if a == b { return sameRegionRTTMilliseconds }
        return fallbackRTTMilliseconds
    }

    /// Every region that appears in at least one measurement, sorted.
    public var regions: [RegionID] {
        var seen = Set<RegionID>()
        for key in measurements.keys {
            seen.insert(key.low)
            seen.insert(key.high)
        }
        return seen.sorted()
    }

    /// Number of distinct unordered pairs measured.
    public var pairCount: Int { measurements.count }

    private struct PairKey: Hashable, Sendable {
        let low: RegionID
        let high: RegionID
        init(_ a: RegionID, _ b: RegionID) {
            (low, high) = a < b ? (a, b) : (b, a)
        }
    }

    private struct Measurement: Hashable, Sendable {
        var sum = 0.0
        var count = 0
        mutating func add(_ value: Double) {
            sum += value
            count += 1
        }
        var mean: Double { sum / Double(count) }
    }
}
