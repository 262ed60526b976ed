import PlacementCore

/// The scenario quoted in reports: participants in five regions across AWS and GCP, one of them
/// (AWS ap-northeast-1) a region with latencies but no prices. eu-central-1 has two participants,
/// so it is the most common participant region.
enum Scenario {
    static let participants: [RegionID] = [
        RegionID(.aws, "us-east-1"), RegionID(.aws, "eu-central-1"), RegionID(.aws, "eu-central-1"),
        RegionID(.aws, "ap-northeast-1"), RegionID(.gcp, "europe-west4"), RegionID(.gcp, "asia-southeast1"),
    ]

    /// A 100 MB model (ResNet-50 size, fp32), hourly rounds.
    static let workload = FederationWorkload(
        participants: participants, modelBytes: 100e6, schedule: .interval(seconds: 3600))

    static let constraints = PlacementConstraints(minVCPU: 2, minMemoryGB: 8)
}
