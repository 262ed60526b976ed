import CumulusKit
import Foundation
import PostgresNIO
import Synchronization
import Testing

@Suite struct RedisStreamTests {
    @Test func commandsRoundTripThroughThePool() async throws {
        let pool = RedisPool(url: try TestEnvironment.redis(), maximumConnections: 2)
        try await pool.ping()
        let key = TestEnvironment.uniqueName("key")
        _ = try await pool.send("SET", key, "héllo wörld")
        #expect(try await pool.send("GET", key).string == "héllo wörld")
        #expect(try await pool.send("GET", key + "-missing").isNull)
        await #expect(throws: RedisError.self) { try await pool.send("LPUSH", key, "x") }  // WRONGTYPE
        // More concurrent commands than connections: callers queue, none fail.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<20 { group.addTask { _ = try await pool.send("INCRBY", key + "-n", String(index)) } }
            try await group.waitForAll()
        }
        #expect(try await pool.send("GET", key + "-n").integer == 190)
    }

    @Test func anUnreachableServerIsAClearError() async throws {
        let connection = RedisConnection(url: RedisURL(host: "127.0.0.1", port: 1), commandTimeout: .seconds(1))
        await #expect(throws: RedisError.self) { try await connection.ping() }
    }

    @Test func aMessageLeftByADeadConsumerIsClaimedByAnother() async throws {
        let url = try TestEnvironment.redis()
        let stream = TestEnvironment.uniqueName("usage")
        let group = "costs"
        let producer = RedisPool(url: url)
        try await producer.ensureGroup(stream, group: group)
        let id = try await producer.xadd(stream, fields: ["node": "n1", "hours": "2.5"])

        // Consumer A reads the message and dies before acknowledging it.
        let doomed = RedisConnection(url: url, label: "doomed")
        let read = try await doomed.readGroup(stream, group: group, consumer: "a", count: 10)
        #expect(read.map(\.id) == [id])
        await doomed.close()
        #expect(try await producer.pending(stream, group: group).consumers == ["a": 1])

        let handled = Mutex<[StreamMessage]>([])
        func consumer(claimingAfter idle: Duration) -> StreamConsumer {
            StreamConsumer(
                stream: stream, group: group, consumer: "b", connection: RedisConnection(url: url, label: "b"),
                claimAfter: idle, block: .milliseconds(100), logger: TestEnvironment.logger
            ) { message in handled.withLock { $0.append(message) } }
        }
        // A message idle for less than the claim time stays A's. (An hour, so no machine is slow
        // enough to make this a race.)
        #expect(try await consumer(claimingAfter: .seconds(3600)).pollOnce() == 0)
        #expect(handled.withLock { $0 }.isEmpty)
        // Once it has been idle longer than the claim time, B takes it over and handles it.
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await consumer(claimingAfter: .milliseconds(200)).pollOnce() == 1)
        #expect(handled.withLock { $0 } == [StreamMessage(id: id, fields: ["node": "n1", "hours": "2.5"])])
        #expect(try await producer.pending(stream, group: group).count == 0, "the survivor acknowledged it")
        _ = try await producer.send("DEL", stream)
    }

    @Test func aFailingHandlerLeavesTheMessagePendingForRetry() async throws {
        let url = try TestEnvironment.redis()
        let stream = TestEnvironment.uniqueName("events")
        let producer = RedisPool(url: url)
        try await producer.ensureGroup(stream, group: "g")
        try await producer.xadd(stream, fields: ["n": "1"])
        let attempts = Mutex(0)
        let consumer = StreamConsumer(
            stream: stream, group: "g", consumer: "c", connection: RedisConnection(url: url, label: "c"),
            claimAfter: .milliseconds(100), block: .milliseconds(100), logger: TestEnvironment.logger
        ) { _ in
            let attempt = attempts.withLock { value in value += 1; return value }
            if attempt == 1 { throw CancellationError() }
        }
        #expect(try await consumer.pollOnce() == 0)
        #expect(try await producer.pending(stream, group: "g").count == 1)
        try await Task.sleep(for: .milliseconds(200))
        #expect(try await consumer.pollOnce() == 1)
        #expect(attempts.withLock { $0 } == 2)
        #expect(try await producer.pending(stream, group: "g").count == 0)
        _ = try await producer.send("DEL", stream)
    }

    @Test func anIdempotentConsumerHandlesARedeliveredMessageOnce() async throws {
        let url = try TestEnvironment.redis()
        let stream = TestEnvironment.uniqueName("usage")
        let schema = TestEnvironment.uniqueName("idem")
        try await withPostgres(try TestEnvironment.superuserDatabase()) { client in
            try await client.query("CREATE SCHEMA \(unescaped: schema)")
            try await MigrationRunner(schema: schema, migrations: [
                Migration("0001_totals", "CREATE TABLE totals (node text PRIMARY KEY, hours double precision NOT NULL);")
            ]).run(on: client, logger: TestEnvironment.logger)
            let ledger = ProcessedMessageLedger(client: client, schema: schema)

            let producer = RedisPool(url: url)
            try await producer.ensureGroup(stream, group: "costs")
            try await producer.xadd(stream, fields: ["node": "n1", "hours": "1.5"])

            // The handler adds hours; the ledger makes that happen once per message.
            let crashAfterCommit = Mutex(true)
            let consumer = StreamConsumer(
                stream: stream, group: "costs", consumer: "c1", connection: RedisConnection(url: url, label: "c1"),
                claimAfter: .milliseconds(100), block: .milliseconds(100), logger: TestEnvironment.logger
            ) { message in
                try await ledger.once(stream: stream, group: "costs", message: message, logger: TestEnvironment.logger) { connection in
                    let hours = Double(message.fields["hours"] ?? "") ?? 0
                    let node = message.fields["node"] ?? ""
                    let insert: PostgresQuery = "INSERT INTO \(unescaped: schema).totals VALUES (\(node), \(hours)) ON CONFLICT (node) DO UPDATE SET hours = totals.hours + EXCLUDED.hours"
                    try await connection.query(insert, logger: TestEnvironment.logger)
                }
                // Simulate dying after the effect committed but before XACK: Redis redelivers.
                if crashAfterCommit.withLock({ value in defer { value = false }; return value }) { throw CancellationError() }
            }
            #expect(try await consumer.pollOnce() == 0)
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await consumer.pollOnce() == 1, "the redelivered message is acknowledged")

            let rows = try await client.query("SELECT hours FROM \(unescaped: schema).totals WHERE node = 'n1'")
            for try await hours in rows.decode(Double.self) { #expect(hours == 1.5, "counted once, not twice") }
            #expect(try await producer.pending(stream, group: "costs").count == 0)
            try await client.query("DROP SCHEMA \(unescaped: schema) CASCADE")
            _ = try await producer.send("DEL", stream)
        }
    }
}
