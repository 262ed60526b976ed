/// A cloud (or private-cloud) provider an aggregator or participant can run on.
public enum Provider: String, Sendable, Hashable, Codable, CaseIterable, Comparable,
    CustomStringConvertible
{
    case aws
    case gcp
    case azure
    case openstack

    /// Accepts the spellings found in catalogues and measurement files ("AWS", "gcp",
    /// "Azure", "OpenStack"), ignoring case and surrounding spaces.
    public init?(catalogueName: some StringProtocol) {
        let key = catalogueName.trimmingSpaces().lowercased()
        switch key {
        case "aws", "amazon", "amazon web services": self = .aws
        case "gcp", "google", "google cloud", "gce": self = .gcp
        case "azure", "microsoft azure": self = .azure
        case "openstack": self = .openstack
        default: return nil
        }
    }

    public static func < (lhs: Provider, rhs: Provider) -> Bool {
        lhs.sortIndex < rhs.sortIndex
    }

    /// Declaration order, so sorting never depends on raw strings.
    private var sortIndex: Int { Self.allCases.firstIndex(of: self)! }

    public var description: String { rawValue }
}
