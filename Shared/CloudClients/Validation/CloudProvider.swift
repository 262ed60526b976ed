/// The clouds whose credentials Cumulus can check.
public enum CloudProvider: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case aws
    case gcp
    case azure
    case openstack

    public var description: String { rawValue }
}
