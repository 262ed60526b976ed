/// Geography of the public regions the module knows by name, so that catalogues imported from
/// price files (which carry only region names) can still be filtered by residency.
///
/// A region missing here gets only a continent guessed from its name prefix (or nothing), and a
/// residency rule that needs a country treats it as outside every country — the safe side.
public enum KnownRegions {
    public static func geography(of id: RegionID) -> Geography? {
        if let known = table[id] { return known }
        return guessedContinent(of: id).map { Geography(continent: $0) }
    }

    /// Continent from the naming conventions of AWS ("eu-…", "ap-…") and GCP ("europe-…").
    static func guessedContinent(of id: RegionID) -> Continent? {
        let prefixes: [(String, Continent)] = [
            ("us-", .northAmerica), ("ca-", .northAmerica), ("mx-", .northAmerica),
            ("northamerica-", .northAmerica), ("sa-", .southAmerica), ("southamerica-", .southAmerica),
            ("eu-", .europe), ("europe-", .europe), ("ap-southeast-2", .oceania),
            ("ap-southeast-4", .oceania), ("australia-", .oceania), ("ap-", .asia), ("asia-", .asia),
            ("af-", .africa), ("africa-", .africa), ("me-", .middleEast), ("il-", .middleEast),
        ]
        guard id.provider == .aws || id.provider == .gcp else { return nil }
        return prefixes.first { id.name.hasPrefix($0.0) }?.1
    }

    private static func entries(
        _ provider: Provider, _ rows: [(String, Continent, String)]
    ) -> [(RegionID, Geography)] {
        rows.map { (RegionID(provider, $0.0), Geography(continent: $0.1, countryCode: $0.2)) }
    }

    private static let table: [RegionID: Geography] = Dictionary(
        uniqueKeysWithValues:
            entries(.aws, [
                ("us-east-1", .northAmerica, "US"), ("us-east-2", .northAmerica, "US"),
                ("us-west-1", .northAmerica, "US"), ("us-west-2", .northAmerica, "US"),
                ("ca-central-1", .northAmerica, "CA"), ("sa-east-1", .southAmerica, "BR"),
                ("eu-west-1", .europe, "IE"), ("eu-west-2", .europe, "GB"),
                ("eu-west-3", .europe, "FR"), ("eu-central-1", .europe, "DE"),
                ("eu-central-2", .europe, "CH"), ("eu-north-1", .europe, "SE"),
                ("eu-south-1", .europe, "IT"), ("eu-south-2", .europe, "ES"),
                ("ap-northeast-1", .asia, "JP"), ("ap-northeast-2", .asia, "KR"),
                ("ap-northeast-3", .asia, "JP"), ("ap-southeast-1", .asia, "SG"),
                ("ap-southeast-2", .oceania, "AU"), ("ap-south-1", .asia, "IN"),
                ("ap-east-1", .asia, "HK"), ("af-south-1", .africa, "ZA"),
                ("me-south-1", .middleEast, "BH"), ("me-central-1", .middleEast, "AE"),
                ("il-central-1", .middleEast, "IL"),
            ])
            + entries(.gcp, [
                ("us-central1", .northAmerica, "US"), ("us-east1", .northAmerica, "US"),
                ("us-east4", .northAmerica, "US"), ("us-west1", .northAmerica, "US"),
                ("northamerica-northeast1", .northAmerica, "CA"),
                ("southamerica-east1", .southAmerica, "BR"), ("europe-west1", .europe, "BE"),
                ("europe-west2", .europe, "GB"), ("europe-west3", .europe, "DE"),
                ("europe-west4", .europe, "NL"), ("europe-west6", .europe, "CH"),
                ("europe-west8", .europe, "IT"), ("europe-west9", .europe, "FR"),
                ("europe-west12", .europe, "IT"), ("europe-central2", .europe, "PL"),
                ("europe-north1", .europe, "FI"), ("asia-east1", .asia, "TW"),
                ("asia-east2", .asia, "HK"), ("asia-northeast1", .asia, "JP"),
                ("asia-northeast3", .asia, "KR"), ("asia-south1", .asia, "IN"),
                ("asia-southeast1", .asia, "SG"), ("australia-southeast1", .oceania, "AU"),
                ("me-west1", .middleEast, "IL"), ("africa-south1", .africa, "ZA"),
            ])
            + entries(.azure, [
                ("eastus", .northAmerica, "US"), ("westus2", .northAmerica, "US"),
                ("canadacentral", .northAmerica, "CA"), ("brazilsouth", .southAmerica, "BR"),
                ("westeurope", .europe, "NL"), ("northeurope", .europe, "IE"),
                ("germanywestcentral", .europe, "DE"), ("francecentral", .europe, "FR"),
                ("uksouth", .europe, "GB"), ("southeastasia", .asia, "SG"),
                ("japaneast", .asia, "JP"), ("centralindia", .asia, "IN"),
                ("australiaeast", .oceania, "AU"),
            ])
    )
}
