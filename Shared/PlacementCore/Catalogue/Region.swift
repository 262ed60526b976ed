/// A region of a provider, with its geography when known (needed only by residency rules).
public struct Region: Sendable, Hashable, Codable, CustomStringConvertible {
    public var id: RegionID
    public var geography: Geography?

    public init(_ id: RegionID, geography: Geography? = nil) {
        self.id = id
        self.geography = geography
    }

    /// A region with the geography the module knows for its name (see ``KnownRegions``).
    public init(known id: RegionID) {
        self.init(id, geography: KnownRegions.geography(of: id))
    }

    public var provider: Provider { id.provider }
    public var name: String { id.name }
    public var description: String { id.description }
}
