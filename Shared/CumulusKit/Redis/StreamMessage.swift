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
}
