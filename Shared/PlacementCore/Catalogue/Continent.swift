/// Coarse geography used for data-residency constraints ("keep the aggregator in Europe").
public enum Continent: String, Sendable, Hashable, Codable, CaseIterable {
    case northAmerica
    case southAmerica
    case europe
    case asia
    case oceania
    case africa
    case middleEast
}
