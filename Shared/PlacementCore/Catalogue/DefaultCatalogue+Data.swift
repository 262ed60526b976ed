// APPROXIMATE DEFAULTS — not quotes and not measurements. Prices are rounded public on-demand
// Linux list prices (2025, USD/hour); latencies are estimates. Import real price lists and
// measured latencies (the costs service does) for decisions that matter.

extension DefaultCatalogue {
    /// (provider, region, geography, offers as (type, vCPU, memory GB, GPU, USD/hour)).
    typealias OfferRow = (type: String, vCPU: Int, memoryGB: Double, gpu: GPUSpec?, hourlyUSD: Double)

    static let t4 = GPUSpec(model: "T4", count: 1)
    static let l4 = GPUSpec(model: "L4", count: 1)
    static let v100s = GPUSpec(model: "V100S", count: 1)

    static func aws(_ p: [Double]) -> [OfferRow] {
        [("t3.medium", 2, 4, nil, p[0]), ("m5.large", 2, 8, nil, p[1]), ("m5.xlarge", 4, 16, nil, p[2]),
         ("c5.2xlarge", 8, 16, nil, p[3]), ("r5.xlarge", 4, 32, nil, p[4]), ("g4dn.xlarge", 4, 16, t4, p[5])]
    }

    static func gcp(_ p: [Double]) -> [OfferRow] {
        [("e2-medium", 2, 4, nil, p[0]), ("e2-standard-2", 2, 8, nil, p[1]),
         ("n2-standard-4", 4, 16, nil, p[2]), ("c2-standard-8", 8, 32, nil, p[3]),
         ("n2-highmem-4", 4, 32, nil, p[4]), ("g2-standard-4", 4, 16, l4, p[5])]
    }

    static func azure(_ p: [Double]) -> [OfferRow] {
        [("Standard_B2s", 2, 4, nil, p[0]), ("Standard_D2s_v5", 2, 8, nil, p[1]),
         ("Standard_D4s_v5", 4, 16, nil, p[2]), ("Standard_F8s_v2", 8, 16, nil, p[3]),
         ("Standard_E4s_v5", 4, 32, nil, p[4]), ("Standard_NC4as_T4_v3", 4, 28, t4, p[5])]
    }

    /// Flavours modelled on a European public OpenStack operator, which prices all regions alike.
    static let openStackFlavours: [OfferRow] = [
        ("d2-4", 2, 4, nil, 0.022), ("b3-8", 2, 8, nil, 0.085), ("b3-16", 4, 16, nil, 0.17),
        ("c3-16", 8, 16, nil, 0.19), ("r3-32", 4, 32, nil, 0.2), ("t2-45", 15, 45, v100s, 2.1),
    ]

    static let regionRows: [(Region, [OfferRow])] = [
        (Region(RegionID(.aws, "us-east-1"), geography: Geography(continent: .northAmerica, countryCode: "US")),
         aws([0.0416, 0.096, 0.192, 0.34, 0.252, 0.526])),
        (Region(RegionID(.aws, "eu-central-1"), geography: Geography(continent: .europe, countryCode: "DE")),
         aws([0.048, 0.115, 0.23, 0.388, 0.304, 0.658])),
        (Region(RegionID(.aws, "eu-west-1"), geography: Geography(continent: .europe, countryCode: "IE")),
         aws([0.0456, 0.107, 0.214, 0.382, 0.282, 0.587])),
        (Region(RegionID(.aws, "ap-southeast-1"), geography: Geography(continent: .asia, countryCode: "SG")),
         aws([0.0528, 0.12, 0.24, 0.392, 0.304, 0.736])),
        (Region(RegionID(.gcp, "us-central1"), geography: Geography(continent: .northAmerica, countryCode: "US")),
         gcp([0.0335, 0.067, 0.1942, 0.4176, 0.262, 0.7068])),
        (Region(RegionID(.gcp, "europe-west3"), geography: Geography(continent: .europe, countryCode: "DE")),
         gcp([0.0386, 0.0771, 0.2234, 0.4802, 0.3013, 0.8128])),
        (Region(RegionID(.gcp, "europe-west4"), geography: Geography(continent: .europe, countryCode: "NL")),
         gcp([0.0369, 0.0737, 0.2138, 0.4594, 0.2882, 0.7775])),
        (Region(RegionID(.gcp, "asia-southeast1"), geography: Geography(continent: .asia, countryCode: "SG")),
         gcp([0.0412, 0.0824, 0.2389, 0.5136, 0.3223, 0.8694])),
        (Region(RegionID(.azure, "eastus"), geography: Geography(continent: .northAmerica, countryCode: "US")),
         azure([0.0416, 0.096, 0.192, 0.338, 0.252, 0.526])),
        (Region(RegionID(.azure, "westeurope"), geography: Geography(continent: .europe, countryCode: "NL")),
         azure([0.048, 0.11, 0.22, 0.384, 0.288, 0.59])),
        (Region(RegionID(.azure, "northeurope"), geography: Geography(continent: .europe, countryCode: "IE")),
         azure([0.0456, 0.104, 0.208, 0.372, 0.276, 0.58])),
        (Region(RegionID(.azure, "southeastasia"), geography: Geography(continent: .asia, countryCode: "SG")),
         azure([0.0528, 0.12, 0.24, 0.396, 0.304, 0.7])),
        (Region(RegionID(.openstack, "GRA11"), geography: Geography(continent: .europe, countryCode: "FR")),
         openStackFlavours),
        (Region(RegionID(.openstack, "DE1"), geography: Geography(continent: .europe, countryCode: "DE")),
         openStackFlavours),
        (Region(RegionID(.openstack, "BHS5"), geography: Geography(continent: .northAmerica, countryCode: "CA")),
         openStackFlavours),
    ]

    /// Estimated RTT in ms for every pair of default regions:
    /// 2 ms + 2 × 1.4 × great-circle distance / (200 km per ms, light in fibre), where 1.4 is a
    /// typical ratio of fibre route to great circle. Real paths vary by ±30 %.
    static let latencyRows: [(RegionID, RegionID, Double)] = [
        (RegionID(.aws, "us-east-1"), RegionID(.aws, "eu-central-1"), 94),
        (RegionID(.aws, "us-east-1"), RegionID(.aws, "eu-west-1"), 78),
        (RegionID(.aws, "us-east-1"), RegionID(.aws, "ap-southeast-1"), 219),
        (RegionID(.aws, "us-east-1"), RegionID(.gcp, "us-central1"), 24),
        (RegionID(.aws, "us-east-1"), RegionID(.gcp, "europe-west3"), 94),
        (RegionID(.aws, "us-east-1"), RegionID(.gcp, "europe-west4"), 90),
        (RegionID(.aws, "us-east-1"), RegionID(.gcp, "asia-southeast1"), 219),
        (RegionID(.aws, "us-east-1"), RegionID(.azure, "eastus"), 6),
        (RegionID(.aws, "us-east-1"), RegionID(.azure, "westeurope"), 89),
        (RegionID(.aws, "us-east-1"), RegionID(.azure, "northeurope"), 78),
        (RegionID(.aws, "us-east-1"), RegionID(.azure, "southeastasia"), 219),
        (RegionID(.aws, "us-east-1"), RegionID(.openstack, "GRA11"), 87),
        (RegionID(.aws, "us-east-1"), RegionID(.openstack, "DE1"), 93),
        (RegionID(.aws, "us-east-1"), RegionID(.openstack, "BHS5"), 13),
        (RegionID(.aws, "eu-central-1"), RegionID(.aws, "eu-west-1"), 17),
        (RegionID(.aws, "eu-central-1"), RegionID(.aws, "ap-southeast-1"), 146),
        (RegionID(.aws, "eu-central-1"), RegionID(.gcp, "us-central1"), 107),
        (RegionID(.aws, "eu-central-1"), RegionID(.gcp, "europe-west3"), 2),
        (RegionID(.aws, "eu-central-1"), RegionID(.gcp, "europe-west4"), 7),
        (RegionID(.aws, "eu-central-1"), RegionID(.gcp, "asia-southeast1"), 146),
        (RegionID(.aws, "eu-central-1"), RegionID(.azure, "eastus"), 98),
        (RegionID(.aws, "eu-central-1"), RegionID(.azure, "westeurope"), 7),
        (RegionID(.aws, "eu-central-1"), RegionID(.azure, "northeurope"), 17),
        (RegionID(.aws, "eu-central-1"), RegionID(.azure, "southeastasia"), 146),
        (RegionID(.aws, "eu-central-1"), RegionID(.openstack, "GRA11"), 9),
        (RegionID(.aws, "eu-central-1"), RegionID(.openstack, "DE1"), 3),
        (RegionID(.aws, "eu-central-1"), RegionID(.openstack, "BHS5"), 84),
        (RegionID(.aws, "eu-west-1"), RegionID(.aws, "ap-southeast-1"), 159),
        (RegionID(.aws, "eu-west-1"), RegionID(.gcp, "us-central1"), 92),
        (RegionID(.aws, "eu-west-1"), RegionID(.gcp, "europe-west3"), 17),
        (RegionID(.aws, "eu-west-1"), RegionID(.gcp, "europe-west4"), 14),
        (RegionID(.aws, "eu-west-1"), RegionID(.gcp, "asia-southeast1"), 159),
        (RegionID(.aws, "eu-west-1"), RegionID(.azure, "eastus"), 82),
        (RegionID(.aws, "eu-west-1"), RegionID(.azure, "westeurope"), 13),
        (RegionID(.aws, "eu-west-1"), RegionID(.azure, "northeurope"), 2),
        (RegionID(.aws, "eu-west-1"), RegionID(.azure, "southeastasia"), 159),
        (RegionID(.aws, "eu-west-1"), RegionID(.openstack, "GRA11"), 11),
        (RegionID(.aws, "eu-west-1"), RegionID(.openstack, "DE1"), 16),
        (RegionID(.aws, "eu-west-1"), RegionID(.openstack, "BHS5"), 69),
        (RegionID(.aws, "ap-southeast-1"), RegionID(.gcp, "us-central1"), 210),
        (RegionID(.aws, "ap-southeast-1"), RegionID(.gcp, "europe-west3"), 146),
        (RegionID(.aws, "ap-southeast-1"), RegionID(.gcp, "europe-west4"), 147),
        (RegionID(.aws, "ap-southeast-1"), RegionID(.gcp, "asia-southeast1"), 2),
        (RegionID(.aws, "ap-southeast-1"), RegionID(.azure, "eastus"), 222),
        (RegionID(.aws, "ap-southeast-1"), RegionID(.azure, "westeurope"), 149),
        (RegionID(.aws, "ap-southeast-1"), RegionID(.azure, "northeurope"), 159),
        (RegionID(.aws, "ap-southeast-1"), RegionID(.azure, "southeastasia"), 2),
        (RegionID(.aws, "ap-southeast-1"), RegionID(.openstack, "GRA11"), 152),
        (RegionID(.aws, "ap-southeast-1"), RegionID(.openstack, "DE1"), 146),
        (RegionID(.aws, "ap-southeast-1"), RegionID(.openstack, "BHS5"), 210),
        (RegionID(.gcp, "us-central1"), RegionID(.gcp, "europe-west3"), 107),
        (RegionID(.gcp, "us-central1"), RegionID(.gcp, "europe-west4"), 102),
        (RegionID(.gcp, "us-central1"), RegionID(.gcp, "asia-southeast1"), 210),
        (RegionID(.gcp, "us-central1"), RegionID(.azure, "eastus"), 22),
        (RegionID(.gcp, "us-central1"), RegionID(.azure, "westeurope"), 102),
        (RegionID(.gcp, "us-central1"), RegionID(.azure, "northeurope"), 92),
        (RegionID(.gcp, "us-central1"), RegionID(.azure, "southeastasia"), 210),
        (RegionID(.gcp, "us-central1"), RegionID(.openstack, "GRA11"), 101),
        (RegionID(.gcp, "us-central1"), RegionID(.openstack, "DE1"), 106),
        (RegionID(.gcp, "us-central1"), RegionID(.openstack, "BHS5"), 28),
        (RegionID(.gcp, "europe-west3"), RegionID(.gcp, "europe-west4"), 7),
        (RegionID(.gcp, "europe-west3"), RegionID(.gcp, "asia-southeast1"), 146),
        (RegionID(.gcp, "europe-west3"), RegionID(.azure, "eastus"), 98),
        (RegionID(.gcp, "europe-west3"), RegionID(.azure, "westeurope"), 7),
        (RegionID(.gcp, "europe-west3"), RegionID(.azure, "northeurope"), 17),
        (RegionID(.gcp, "europe-west3"), RegionID(.azure, "southeastasia"), 146),
        (RegionID(.gcp, "europe-west3"), RegionID(.openstack, "GRA11"), 9),
        (RegionID(.gcp, "europe-west3"), RegionID(.openstack, "DE1"), 3),
        (RegionID(.gcp, "europe-west3"), RegionID(.openstack, "BHS5"), 84),
        (RegionID(.gcp, "europe-west4"), RegionID(.gcp, "asia-southeast1"), 147),
        (RegionID(.gcp, "europe-west4"), RegionID(.azure, "eastus"), 94),
        (RegionID(.gcp, "europe-west4"), RegionID(.azure, "westeurope"), 4),
        (RegionID(.gcp, "europe-west4"), RegionID(.azure, "northeurope"), 14),
        (RegionID(.gcp, "europe-west4"), RegionID(.azure, "southeastasia"), 147),
        (RegionID(.gcp, "europe-west4"), RegionID(.openstack, "GRA11"), 8),
        (RegionID(.gcp, "europe-west4"), RegionID(.openstack, "DE1"), 7),
        (RegionID(.gcp, "europe-west4"), RegionID(.openstack, "BHS5"), 80),
        (RegionID(.gcp, "asia-southeast1"), RegionID(.azure, "eastus"), 222),
        (RegionID(.gcp, "asia-southeast1"), RegionID(.azure, "westeurope"), 149),
        (RegionID(.gcp, "asia-southeast1"), RegionID(.azure, "northeurope"), 159),
        (RegionID(.gcp, "asia-southeast1"), RegionID(.azure, "southeastasia"), 2),
        (RegionID(.gcp, "asia-southeast1"), RegionID(.openstack, "GRA11"), 152),
        (RegionID(.gcp, "asia-southeast1"), RegionID(.openstack, "DE1"), 146),
        (RegionID(.gcp, "asia-southeast1"), RegionID(.openstack, "BHS5"), 210),
        (RegionID(.azure, "eastus"), RegionID(.azure, "westeurope"), 93),
        (RegionID(.azure, "eastus"), RegionID(.azure, "northeurope"), 82),
        (RegionID(.azure, "eastus"), RegionID(.azure, "southeastasia"), 222),
        (RegionID(.azure, "eastus"), RegionID(.openstack, "GRA11"), 91),
        (RegionID(.azure, "eastus"), RegionID(.openstack, "DE1"), 97),
        (RegionID(.azure, "eastus"), RegionID(.openstack, "BHS5"), 16),
        (RegionID(.azure, "westeurope"), RegionID(.azure, "northeurope"), 13),
        (RegionID(.azure, "westeurope"), RegionID(.azure, "southeastasia"), 149),
        (RegionID(.azure, "westeurope"), RegionID(.openstack, "GRA11"), 5),
        (RegionID(.azure, "westeurope"), RegionID(.openstack, "DE1"), 6),
        (RegionID(.azure, "westeurope"), RegionID(.openstack, "BHS5"), 79),
        (RegionID(.azure, "northeurope"), RegionID(.azure, "southeastasia"), 159),
        (RegionID(.azure, "northeurope"), RegionID(.openstack, "GRA11"), 11),
        (RegionID(.azure, "northeurope"), RegionID(.openstack, "DE1"), 16),
        (RegionID(.azure, "northeurope"), RegionID(.openstack, "BHS5"), 69),
        (RegionID(.azure, "southeastasia"), RegionID(.openstack, "GRA11"), 152),
        (RegionID(.azure, "southeastasia"), RegionID(.openstack, "DE1"), 146),
        (RegionID(.azure, "southeastasia"), RegionID(.openstack, "BHS5"), 210),
        (RegionID(.openstack, "GRA11"), RegionID(.openstack, "DE1"), 8),
        (RegionID(.openstack, "GRA11"), RegionID(.openstack, "BHS5"), 78),
        (RegionID(.openstack, "DE1"), RegionID(.openstack, "BHS5"), 84),
    ]
}
