/// Where an aggregator may run for data-residency reasons. Updates are derived from personal
/// data in many federations, so "the aggregator stays in the EU" is a common legal requirement.
///
/// A region whose geography is unknown satisfies only `.anywhere`: when in doubt, exclude.
public enum Residency: Sendable, Hashable, Codable {
    case anywhere
    case continents(Set<Continent>)
    /// ISO 3166-1 alpha-2 codes, upper case ("DE"), as ``Geography/countryCode`` holds them.
    case countries(Set<String>)

    /// The 27 member states of the European Union (2025).
    public static let europeanUnion = Residency.countries([
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
        "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
    ])

    public func permits(_ region: Region) -> Bool {
        switch self {
        case .anywhere: true
        case let .continents(allowed): region.geography.map { allowed.contains($0.continent) } ?? false
        case let .countries(allowed): region.geography?.countryCode.map { allowed.contains($0) } ?? false
        }
    }
}
