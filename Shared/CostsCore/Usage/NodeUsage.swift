import PlacementCore

/// A participant node ran for an interval: billed as participant compute.
public struct NodeUsage: Sendable, Hashable, Codable {
    public var organisation: String
    public var node: String
    /// Provider and region of the node (the provider is part of ``RegionID``).
    public var region: RegionID
    public var machine: MachineSpec
    public var interval: UsageInterval

    public init(organisation: String, node: String, region: RegionID, machine: MachineSpec, interval: UsageInterval) {
        self.organisation = organisation
        self.node = node
        self.region = region
        self.machine = machine
        self.interval = interval
    }
}

/// An aggregator deployment ran for an interval: billed to the federation.
public struct AggregatorUsage: Sendable, Hashable, Codable {
    public var deployment: String
    public var region: RegionID
    public var machine: MachineSpec
    public var interval: UsageInterval

    public init(deployment: String, region: RegionID, machine: MachineSpec, interval: UsageInterval) {
        self.deployment = deployment
        self.region = region
        self.machine = machine
        self.interval = interval
    }
}

/// Bytes sent out of a region at an instant: billed to the sender, at the sender's tariff
/// (PlacementCore's ``EgressPriceTable`` rule: ingress is free everywhere we model).
public struct TransferUsage: Sendable, Hashable, Codable {
    /// The organisation that sent, when a participant did; nil for the federation's aggregator.
    public var organisation: String?
    public var source: RegionID
    public var destination: TransferDestination
    public var bytes: Int64
    public var at: Timestamp

    public init(organisation: String? = nil, source: RegionID, destination: TransferDestination, bytes: Int64, at: Timestamp) {
        self.organisation = organisation
        self.source = source
        self.destination = destination
        self.bytes = bytes
        self.at = at
    }
}

/// Where transferred bytes went. Codable as `{"region": {...}}` or `"internet"`.
public enum TransferDestination: Sendable, Hashable, Codable, CustomStringConvertible {
    case region(RegionID)
    /// Anywhere outside the clouds we model (an on-premise node, a user's laptop).
    case internet

    private enum CodingKeys: String, CodingKey { case region }

    public init(from decoder: any Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            guard text == "internet" else {
                throw DecodingError.dataCorrupted(.init(
                    codingPath: decoder.codingPath, debugDescription: "destination \"\(text)\" is neither \"internet\" nor {\"region\": …}"))
            }
            self = .internet
            return
        }
        self = .region(try decoder.container(keyedBy: CodingKeys.self).decode(RegionID.self, forKey: .region))
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .internet:
            var container = encoder.singleValueContainer()
            try container.encode("internet")
        case let .region(region):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(region, forKey: .region)
        }
    }

    public var description: String {
        switch self {
        case let .region(region): region.description
        case .internet: "internet"
        }
    }
}
