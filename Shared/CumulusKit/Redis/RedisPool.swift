/// A small pool of Redis connections. Each command borrows one connection for its duration;
/// callers wait when all are busy. Long blocking reads (stream consumers) use a connection of
/// their own instead, so they never starve the pool.
public actor RedisPool: RedisCommandRunner {
    public let url: RedisURL
    public let maximumConnections: Int
    private var idle: [RedisConnection] = []
    private var opened = 0
    private var waiters: [CheckedContinuation<RedisConnection, Never>] = []

    public init(url: RedisURL, maximumConnections: Int = 4) {
        precondition(maximumConnections > 0, "a pool needs at least one connection")
        self.url = url
        self.maximumConnections = maximumConnections
    }

    public func send(_ arguments: [String]) async throws -> RedisReply {
        let connection = await acquire()
        defer { release(connection) }
        return try await connection.send(arguments)
    }

    /// A connection outside the pool, for a consumer that blocks on reads.
    public nonisolated func dedicatedConnection(label: String) -> RedisConnection {
        RedisConnection(url: url, label: label)
    }

    private func acquire() async -> RedisConnection {
        if let connection = idle.popLast() { return connection }
        if opened < maximumConnections {
            opened += 1
            return RedisConnection(url: url, label: "pool")
        }
        return await withCheckedContinuation { waiters.append($0) }
    }

    private func release(_ connection: RedisConnection) {
        if waiters.isEmpty {
            idle.append(connection)
        } else {
            waiters.removeFirst().resume(returning: connection)
        }
    }
}

extension RedisCommandRunner {
    public func send(_ arguments: String...) async throws -> RedisReply {
        try await send(arguments)
    }

    /// PING, for readiness checks.
    public func ping() async throws {
        let reply = try await send(["PING"])
        guard reply.string == "PONG" else { throw RedisError.unexpectedReply(command: "PING", reply: "\(reply)") }
    }
}
