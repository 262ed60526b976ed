/// The identity of a region: provider plus the provider's own region name ("aws", "eu-central-1").
/// Two providers can use the same name, so the provider is always part of the key.
public struct RegionID: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var provider: Provider
    public var name: String

    public init(_ provider: Provider, _ name: String) {
        self.provider = provider
        self.name = name
    }

    public static func < (lhs: RegionID, rhs: RegionID) -> Bool {
        (lhs.provider, lhs.name) < (rhs.provider, rhs.name)
    }

    public var description: String { "\(provider.rawValue):\(name)" }
}
