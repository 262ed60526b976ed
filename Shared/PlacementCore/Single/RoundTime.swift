/// A round's communication time and the participant region that set it.
public struct RoundTime: Sendable, Hashable, Codable {
    public var seconds: Double
    /// The slowest participant's region: the one the round waits for.
    public var bottleneck: RegionID

    public init(seconds: Double, bottleneck: RegionID) {
        self.seconds = seconds
        self.bottleneck = bottleneck
    }
}
