import Foundation

/// The canonical bytes that are signed, hashed or used as associated data: a domain string,
/// then each field length-prefixed (8 bytes little-endian), so no two different field lists
/// encode to the same bytes. Codable's JSON is not canonical, hence this.
struct Transcript {
    private(set) var bytes: [UInt8] = []

    init(_ domain: String) { append(domain) }

    mutating func append(_ field: some Collection<UInt8>) {
        withUnsafeBytes(of: UInt64(field.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: field)
    }

    mutating func append(_ text: String) { append(Array(text.utf8)) }
    mutating func append(_ id: AgentID) { append(id.rawValue) }
    mutating func append(_ session: SessionID) { append(session.bytes) }

    mutating func append(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { append(Array($0)) }
    }

    mutating func append(_ ids: [AgentID]) {
        append(UInt64(ids.count))
        for id in ids { append(id) }
    }

    /// The transcript every agent signature starts with: protocol, stage, session, sender.
    static func signed(_ stage: SecAggStage, session: SessionID, sender: AgentID) -> Transcript {
        var transcript = Transcript("cumulus.secagg.v1.signature")
        transcript.append(stage.rawValue)
        transcript.append(session)
        transcript.append(sender)
        return transcript
    }
}

/// The identity of one round: SHA-256 of its whole configuration. It is in every signature,
/// every key derivation and every share's associated data, so nothing carries over between
/// rounds or between differently configured runs of the same round.
public struct SessionID: Hashable, Codable, Sendable, CustomStringConvertible {
    public let bytes: Data

    public init(bytes: Data) { self.bytes = bytes }

    public var description: String { bytes.prefix(8).map { String(format: "%02x", $0) }.joined() }
}
