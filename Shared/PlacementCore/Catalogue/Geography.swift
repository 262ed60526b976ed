/// Where a region physically is: enough for residency rules such as "EU only".
public struct Geography: Sendable, Hashable, Codable {
    public var continent: Continent
    /// ISO 3166-1 alpha-2 country code ("DE", "US"); nil when only the continent is known.
    public var countryCode: String?

    public init(continent: Continent, countryCode: String? = nil) {
        self.continent = continent
        self.countryCode = countryCode
    }
}
