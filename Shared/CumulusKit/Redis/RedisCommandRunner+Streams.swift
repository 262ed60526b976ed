/// Redis Streams with consumer groups: at-least-once delivery between services.
extension RedisCommandRunner {
    /// Appends a message and returns its id. `maxLength` trims the stream approximately, so
    /// a stream nobody reads cannot grow without bound.
    @discardableResult
    public func xadd(_ stream: String, fields: [String: String], maxLength: Int? = 100_000) async throws -> String {
        var arguments = ["XADD", stream]
        if let maxLength { arguments += ["MAXLEN", "~", String(maxLength)] }
        arguments.append("*")
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) { arguments += [key, value] }
        let reply = try await send(arguments)
        guard let id = reply.string else { throw RedisError.unexpectedReply(command: "XADD", reply: "\(reply)") }
        return id
    }

    /// Creates the group (and the stream) if missing. The group starts at the beginning of the
    /// stream, so messages written before any consumer existed are not lost.
    public func ensureGroup(_ stream: String, group: String) async throws {
        do {
            _ = try await send(["XGROUP", "CREATE", stream, group, "0", "MKSTREAM"])
        } catch RedisError.server(let message) where message.hasPrefix("BUSYGROUP") {
            return
        }
    }

    /// Reads up to `count` new messages for `consumer`, blocking up to `block` when there are none.
    public func readGroup(_ stream: String, group: String, consumer: String, count: Int = 16, block: Duration? = nil) async throws -> [StreamMessage] {
        var arguments = ["XREADGROUP", "GROUP", group, consumer, "COUNT", String(count)]
        if let block { arguments += ["BLOCK", String(block.components.seconds * 1000 + block.components.attoseconds / 1_000_000_000_000_000)] }
        arguments += ["STREAMS", stream, ">"]
        let reply = try await send(arguments)
        if reply.isNull { return [] }
        guard let streams = reply.array else { throw RedisError.unexpectedReply(command: "XREADGROUP", reply: "\(reply)") }
        return streams.flatMap { entry -> [StreamMessage] in
            guard let pair = entry.array, pair.count == 2, let messages = pair[1].array else { return [] }
            return messages.compactMap(StreamMessage.parse)
        }
    }

    /// Reads messages after `id` without a consumer group (every reader sees every message:
    /// for broadcasts such as cache invalidation), blocking up to `block` when there are none.
    public func read(_ stream: String, after id: String, count: Int = 100, block: Duration) async throws -> [StreamMessage] {
        let milliseconds = block.components.seconds * 1000 + block.components.attoseconds / 1_000_000_000_000_000
        let reply = try await send(["XREAD", "COUNT", String(count), "BLOCK", String(milliseconds), "STREAMS", stream, id])
        if reply.isNull { return [] }
        guard let streams = reply.array else { throw RedisError.unexpectedReply(command: "XREAD", reply: "\(reply)") }
        return streams.flatMap { entry -> [StreamMessage] in
            guard let pair = entry.array, pair.count == 2, let messages = pair[1].array else { return [] }
            return messages.compactMap(StreamMessage.parse)
        }
    }

    /// How many entries the stream holds (0 when it does not exist).
    public func length(_ stream: String) async throws -> Int {
        let reply = try await send(["XLEN", stream])
        guard let count = reply.integer else { throw RedisError.unexpectedReply(command: "XLEN", reply: "\(reply)") }
        return Int(count)
    }

    /// The id of the newest message, or "0-0" for an empty or missing stream.
    public func lastID(_ stream: String) async throws -> String {
        let reply = try await send(["XREVRANGE", stream, "+", "-", "COUNT", "1"])
        return reply.array?.first.flatMap(StreamMessage.parse)?.id ?? "0-0"
    }

    /// Acknowledges handled messages; returns how many were pending.
    @discardableResult
    public func ack(_ stream: String, group: String, ids: [String]) async throws -> Int {
        guard !ids.isEmpty else { return 0 }
        let reply = try await send(["XACK", stream, group] + ids)
        return Int(reply.integer ?? 0)
    }

    /// Takes over messages that another consumer read but did not acknowledge for at least
    /// `minimumIdle` (it died, or hangs). Returns the claimed messages and the cursor to continue from.
    public func autoClaim(_ stream: String, group: String, consumer: String, minimumIdle: Duration, start: String = "0-0", count: Int = 16) async throws -> (messages: [StreamMessage], next: String) {
        let idleMilliseconds = minimumIdle.components.seconds * 1000 + minimumIdle.components.attoseconds / 1_000_000_000_000_000
        let reply = try await send(["XAUTOCLAIM", stream, group, consumer, String(idleMilliseconds), start, "COUNT", String(count)])
        guard let parts = reply.array, parts.count >= 2, let next = parts[0].string, let claimed = parts[1].array else {
            throw RedisError.unexpectedReply(command: "XAUTOCLAIM", reply: "\(reply)")
        }
        // Entries deleted from the stream come back as nil; they have nothing left to handle.
        return (claimed.compactMap(StreamMessage.parse).filter { !$0.fields.isEmpty }, next)
    }

    /// How many messages are read but not acknowledged, in total and per consumer, and the oldest.
    public func pending(_ stream: String, group: String) async throws -> PendingSummary {
        let reply = try await send(["XPENDING", stream, group])
        guard let parts = reply.array, let total = parts.first?.integer else {
            throw RedisError.unexpectedReply(command: "XPENDING", reply: "\(reply)")
        }
        var consumers: [String: Int] = [:]
        for entry in parts.count > 3 ? (parts[3].array ?? []) : [] {
            if let pair = entry.array, pair.count == 2, let name = pair[0].string, let count = pair[1].integer {
                consumers[name] = Int(count)
            }
        }
        return PendingSummary(count: Int(total), consumers: consumers, oldestID: parts.count > 1 ? parts[1].string : nil)
    }
}
