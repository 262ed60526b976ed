import Foundation

/// One entry of a Redis stream: its id and its field/value pairs.
public struct StreamMessage: Sendable, Equatable {
    public var id: String
    public var fields: [String: String]

    public init(id: String, fields: [String: String]) {
        self.id = id
        self.fields = fields
    }

    /// Parses `[id, [field, value, …]]`; a deleted entry (nil fields) parses with no fields.
    static func parse(_ reply: RedisReply) -> StreamMessage? {
        guard let pair = reply.array, pair.count == 2, let id = pair[0].string else { return nil }
        var fields: [String: String] = [:]
        if let flat = pair[1].array {
            var index = 0
            while index + 1 < flat.count {
                if let key = flat[index].string, let value = flat[index + 1].string { fields[key] = value }
                index += 2
            }
        }
        return StreamMessage(id: id, fields: fields)
    }
}

/// What XPENDING's summary says about a consumer group.
public struct PendingSummary: Sendable, Equatable {
    public var count: Int
    public var consumers: [String: Int]
    /// The id of the oldest unacknowledged message (nil when none is pending).
    public var oldestID: String?

    /// When the oldest pending message was added: a stream id starts with its milliseconds.
    public var oldestAddedAt: Date? {
        guard let millis = oldestID?.split(separator: "-").first.flatMap({ Int64($0) }) else { return nil }
        return Date(timeIntervalSince1970: Double(millis) / 1000)
    }
}

/// A stream and the consumer group that reads it.
public struct StreamGroup: Sendable, Equatable {
    public var stream: String
    public var group: String
    public init(stream: String, group: String) { self.stream = stream; self.group = group }
}
