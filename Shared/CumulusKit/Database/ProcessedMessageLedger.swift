import Logging
import PostgresNIO

/// Makes a stream consumer's effect happen once per message: the message id is recorded in
/// `processed_messages` inside the same transaction as the handler's writes, so a redelivered
/// message finds its id and is skipped, and a crash before commit leaves neither.
public struct ProcessedMessageLedger: Sendable {
    let client: PostgresClient
    let schema: String

    public init(client: PostgresClient, schema: String) {
        self.client = client
        self.schema = schema
    }

    /// Runs `body` in a transaction unless this message was already processed by this group.
    /// Returns whether it ran.
    @discardableResult
    public func once(
        stream: String,
        group: String,
        message: StreamMessage,
        logger: Logger,
        _ body: (PostgresConnection) async throws -> Void
    ) async throws -> Bool {
        let schema = self.schema
        return try await client.withTransaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                INSERT INTO \(unescaped: schema).processed_messages (stream, consumer_group, message_id)
                VALUES (\(stream), \(group), \(message.id)) ON CONFLICT DO NOTHING RETURNING 1
                """,
                logger: logger
            )
            var inserted = false
            for try await _ in rows { inserted = true }
            guard inserted else { return false }
            try await body(connection)
            return true
        }
    }
}
