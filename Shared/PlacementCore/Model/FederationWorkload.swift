/// What the federation does, as far as placement cares: where its participants are, how much a
/// round moves, and how often rounds run.
public struct FederationWorkload: Sendable, Hashable {
    /// One entry per participant (repeat a region for several participants there). A participant
    /// region needs latencies, not prices: regions absent from the price list are fine here.
    public var participants: [RegionID]
    /// Size of the global model each participant downloads per round.
    public var modelBytes: Double
    /// Size of the update each participant uploads per round; defaults to the model size
    /// (full-weight updates, as FedAvg sends), smaller when updates are compressed.
    public var updateBytes: Double
    public var schedule: RoundSchedule

    public init(
        participants: [RegionID], modelBytes: Double, updateBytes: Double? = nil,
        schedule: RoundSchedule
    ) {
        self.participants = participants
        self.modelBytes = modelBytes
        self.updateBytes = updateBytes ?? modelBytes
        self.schedule = schedule
    }

    func validate() throws(PlacementError) {
        guard !participants.isEmpty else { throw .noParticipants }
        guard modelBytes.isFinite, modelBytes >= 0 else { throw .invalidSize(field: "modelBytes", value: modelBytes) }
        guard updateBytes.isFinite, updateBytes >= 0 else {
            throw .invalidSize(field: "updateBytes", value: updateBytes)
        }
        guard schedule.isValid else { throw .invalidSchedule(schedule) }
    }
}
