/// One metered fact, as producers (orchestrator, placement, coordinator) put it on the usage
/// stream. `id` is the producer's idempotency key: the same id fed twice is counted once.
///
/// Wire format (JSON), flat, with a schema version and a kind:
/// ```json
/// {"schemaVersion": 1, "id": "…", "federation": "…", "kind": "nodeHours",
///  "organisation": "…", "node": "…", "region": {"provider": "aws", "name": "eu-central-1"},
///  "machine": {"instanceType": "m5.xlarge"},
///  "interval": {"start": 1740870000000, "end": 1740873600000}}
/// ```
/// Timestamps are UTC milliseconds since 1970. Kinds: `nodeHours` (``NodeUsage``),
/// `aggregatorHours` (``AggregatorUsage``), `bytesMoved` (``TransferUsage``). A version newer
/// than ``currentSchemaVersion`` is refused when decoding (``UsageEventDecodingError``), never
/// guessed at; when version 2 comes, decoding version 1 stays and migrates.
public struct UsageEvent: Sendable, Hashable, Codable, Identifiable {
    public static let currentSchemaVersion = 1

    public var id: String
    public var federation: String
    public var usage: Usage

    public init(id: String, federation: String, usage: Usage) {
        self.id = id
        self.federation = federation
        self.usage = usage
    }

    public enum Usage: Sendable, Hashable {
        case nodeHours(NodeUsage)
        case aggregatorHours(AggregatorUsage)
        case bytesMoved(TransferUsage)

        public var kind: Kind {
            switch self {
            case .nodeHours: .nodeHours
            case .aggregatorHours: .aggregatorHours
            case .bytesMoved: .bytesMoved
            }
        }
    }

    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case nodeHours, aggregatorHours, bytesMoved
    }

    private enum CodingKeys: String, CodingKey {
        case schemaVersion, id, federation, kind
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let version = try container.decode(Int.self, forKey: .schemaVersion)
        guard (1...Self.currentSchemaVersion).contains(version) else {
            throw UsageEventDecodingError.unsupportedSchemaVersion(version, supported: 1...Self.currentSchemaVersion)
        }
        id = try container.decode(String.self, forKey: .id)
        federation = try container.decode(String.self, forKey: .federation)
        let kindText = try container.decode(String.self, forKey: .kind)
        guard let kind = Kind(rawValue: kindText) else {
            throw UsageEventDecodingError.unknownKind(kindText, eventID: id)
        }
        // The kind's fields sit beside the envelope's, so the body decodes from the same object.
        switch kind {
        case .nodeHours: usage = .nodeHours(try NodeUsage(from: decoder))
        case .aggregatorHours: usage = .aggregatorHours(try AggregatorUsage(from: decoder))
        case .bytesMoved: usage = .bytesMoved(try TransferUsage(from: decoder))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.currentSchemaVersion, forKey: .schemaVersion)
        try container.encode(id, forKey: .id)
        try container.encode(federation, forKey: .federation)
        try container.encode(usage.kind, forKey: .kind)
        switch usage {
        case let .nodeHours(body): try body.encode(to: encoder)
        case let .aggregatorHours(body): try body.encode(to: encoder)
        case let .bytesMoved(body): try body.encode(to: encoder)
        }
    }
}

/// A usage event that cannot be read as any version this build knows.
public enum UsageEventDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    case unsupportedSchemaVersion(Int, supported: ClosedRange<Int>)
    case unknownKind(String, eventID: String)

    public var description: String {
        switch self {
        case let .unsupportedSchemaVersion(version, supported):
            "usage event schema version \(version) is not supported (this build reads \(supported.lowerBound)...\(supported.upperBound))"
        case let .unknownKind(kind, id):
            "usage event \(id) has unknown kind \"\(kind)\" (known: nodeHours, aggregatorHours, bytesMoved)"
        }
    }
}
