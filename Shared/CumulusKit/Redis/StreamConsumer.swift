import Logging
import ServiceLifecycle

/// A consumer-group reader run as a `Service`. Each poll first takes over messages a dead
/// consumer left unacknowledged for longer than `claimAfter`, then reads new ones; a message is
/// acknowledged only after its handler returned, so a crash means redelivery, never loss.
/// Handlers must therefore be idempotent (see `ProcessedMessageLedger`).
public struct StreamConsumer: Service {
    public typealias Handler = @Sendable (StreamMessage) async throws -> Void

    public let stream: String
    public let group: String
    public let consumer: String
    let connection: RedisConnection
    let claimAfter: Duration
    let block: Duration
    let batchSize: Int
    let handler: Handler
    let logger: Logger

    public init(
        stream: String,
        group: String,
        consumer: String,
        connection: RedisConnection,
        claimAfter: Duration = .seconds(30),
        block: Duration = .seconds(1),
        batchSize: Int = 16,
        logger: Logger,
        handler: @escaping Handler
    ) {
        precondition(block < connection.commandTimeout, "a blocking read must end before the socket times out")
        self.stream = stream
        self.group = group
        self.consumer = consumer
        self.connection = connection
        self.claimAfter = claimAfter
        self.block = block
        self.batchSize = batchSize
        self.handler = handler
        var logger = logger
        logger[metadataKey: "stream"] = .string(stream)
        logger[metadataKey: "consumer_group"] = .string(group)
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var failures = 0
            while !Task.isCancelled {
                do {
                    try await connection.ensureGroup(stream, group: group)
                    _ = try await pollOnce()
                    failures = 0
                } catch is CancellationError {
                    break
                } catch {
                    failures += 1
                    logger.error("stream poll failed", metadata: ["error": "\(error)", "attempt": "\(failures)"])
                    // Back off, up to 10 s, so a Redis outage does not spin.
                    try? await Task.sleep(for: .milliseconds(min(10_000, 200 * (1 << min(failures, 6)))))
                }
            }
        }
        await connection.close()
    }

    /// One round: claim stale messages, read new ones, handle and acknowledge each.
    /// Returns the number handled. Tests drive it directly.
    public func pollOnce() async throws -> Int {
        let claimed = try await connection.autoClaim(stream, group: group, consumer: consumer, minimumIdle: claimAfter, count: batchSize).messages
        let fresh = claimed.isEmpty
            ? try await connection.readGroup(stream, group: group, consumer: consumer, count: batchSize, block: block)
            : []
        var handled = 0
        for message in claimed + fresh {
            do {
                try await handler(message)
                try await connection.ack(stream, group: group, ids: [message.id])
                handled += 1
            } catch {
                // Left pending: another poll (here or in another replica) claims it after `claimAfter`.
                logger.warning("message handler failed; message stays pending", metadata: ["message_id": .string(message.id), "error": "\(error)"])
            }
        }
        return handled
    }
}
