import CumulusAPI
import CumulusKit
import Foundation
import Logging
import PostgresNIO

/// The secure-aggregation tables: one protocol state per open round (its current attempt), the
/// messages relayed in both directions, and the attempts aborted. Any replica takes agents'
/// messages; the leading replica's ``SecureRounds`` feeds them to the round's SecAggServer.
extension JobStore {
    struct SecureRoundRow: Sendable {
        var attempt: Int
        /// "join", a `SecAggStage` raw value, while the round runs.
        var stage: String
        var stageDeadline: Date
        var configuration: Data?
        var members: [String: UUID]
        var dropped: [String: String]
    }

    struct SecureMessage: Sendable {
        var party: String
        var body: Data?
    }

    func secureRound(_ job: UUID, _ round: Int) async throws -> SecureRoundRow? {
        for try await (attempt, stage, deadline, configuration, members, dropped) in try await postgres.query(
            "SELECT attempt, stage, stage_deadline, configuration, members::text, dropped::text FROM secure_rounds WHERE job_id = \(job) AND round = \(round)",
            logger: logger
        ).decode((Int, String, Date, String?, String, String).self) {
            return SecureRoundRow(attempt: attempt, stage: stage, stageDeadline: deadline, configuration: configuration.map { Data($0.utf8) },
                                  members: try Self.decode([String: UUID].self, members), dropped: try Self.decode([String: String].self, dropped))
        }
        return nil
    }

    /// Starts the round's next attempt at joining; the attempt number follows the aborted ones.
    func beginSecureRound(_ job: UUID, _ round: Int, joinDeadline: Date) async throws {
        try await postgres.query(
            """
            INSERT INTO secure_rounds (job_id, round, attempt, stage, stage_deadline)
            VALUES (\(job), \(round), (SELECT count(*) + 1 FROM secure_aborts WHERE job_id = \(job) AND round = \(round)), 'join', \(joinDeadline))
            ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    /// Moves the round to `stage`, recording the answers for it and who dropped out of the stage before.
    func advanceSecureRound(_ job: UUID, _ round: Int, attempt: Int, from previous: String, to stage: String, deadline: Date,
                            answers: [String: Data], dropped: [String: String], configuration: Data? = nil,
                            members: [String: UUID]? = nil) async throws {
        try await postgres.withTransaction(logger: logger) { connection in
            for (recipient, body) in answers {
                try await connection.query(
                    """
                    INSERT INTO secure_messages (job_id, round, attempt, stage, direction, party, body)
                    VALUES (\(job), \(round), \(attempt), \(stage), 'out', \(recipient), \(body))
                    """, logger: logger)
            }
            try await connection.query(
                """
                UPDATE secure_rounds SET stage = \(stage), stage_deadline = \(deadline), dropped = dropped || \(try Self.json(dropped))::jsonb,
                    configuration = coalesce(\(configuration.map { String(decoding: $0, as: UTF8.self) }), configuration),
                    members = coalesce(\(try members.map { try Self.json($0) })::jsonb, members)
                WHERE job_id = \(job) AND round = \(round) AND attempt = \(attempt) AND stage = \(previous)
                """, logger: logger)
            try await event(job, "secure-stage", ["round": .number(Double(round)), "attempt": .number(Double(attempt)), "stage": .string(stage),
                                                  "dropped": .number(Double(dropped.count))], on: connection)
        }
    }

    /// An agent's message; false if it already sent one for this stage.
    func recordSecureMessage(_ job: UUID, _ round: Int, attempt: Int, stage: String, sender: String, body: Data) async throws -> Bool {
        var inserted = false
        for try await _ in try await postgres.query(
            """
            INSERT INTO secure_messages (job_id, round, attempt, stage, direction, party, body)
            VALUES (\(job), \(round), \(attempt), \(stage), 'in', \(sender), \(body))
            ON CONFLICT DO NOTHING RETURNING 1
            """, logger: logger) { inserted = true }
        return inserted
    }

    /// Agents' messages of a stage not yet fed to the round, in arrival order.
    func unfedSecureMessages(_ job: UUID, _ round: Int, attempt: Int, stage: String) async throws -> [SecureMessage] {
        var messages: [SecureMessage] = []
        for try await (party, body) in try await postgres.query(
            """
            SELECT party, body FROM secure_messages
            WHERE job_id = \(job) AND round = \(round) AND attempt = \(attempt) AND stage = \(stage) AND direction = 'in' AND NOT fed
            ORDER BY at
            """, logger: logger
        ).decode((String, Data?).self) { messages.append(SecureMessage(party: party, body: body)) }
        return messages
    }

    /// The nodes that joined the attempt, with their organisations; the first to join for an
    /// organisation is its member, a later node of it is not.
    func secureMembers(_ job: UUID, _ round: Int, attempt: Int) async throws -> [String: UUID] {
        var members: [String: UUID] = [:]
        var organisations: Set<UUID> = []
        for try await (party, body) in try await postgres.query(
            """
            SELECT party, convert_from(body, 'UTF8') FROM secure_messages
            WHERE job_id = \(job) AND round = \(round) AND attempt = \(attempt) AND stage = 'join' AND direction = 'in'
            ORDER BY at
            """, logger: logger
        ).decode((String, String).self) {
            guard let organisation = UUID(uuidString: body), organisations.insert(organisation).inserted else { continue }
            members[party] = organisation
        }
        return members
    }

    /// The coordinator has used the message; a masked input's body is dropped then (it lives on
    /// only inside the running sum).
    func markSecureMessageFed(_ job: UUID, _ round: Int, attempt: Int, stage: String, sender: String, dropBody: Bool) async throws {
        try await postgres.query(
            """
            UPDATE secure_messages SET fed = true, body = CASE WHEN \(dropBody) THEN NULL ELSE body END
            WHERE job_id = \(job) AND round = \(round) AND attempt = \(attempt) AND stage = \(stage) AND direction = 'in' AND party = \(sender)
            """, logger: logger)
    }

    /// The coordinator's answer to `recipient` for `stage` (nil: none).
    func secureAnswer(_ job: UUID, _ round: Int, attempt: Int, stage: String, recipient: String) async throws -> Data? {
        for try await body in try await postgres.query(
            """
            SELECT body FROM secure_messages
            WHERE job_id = \(job) AND round = \(round) AND attempt = \(attempt) AND stage = \(stage) AND direction = 'out' AND party = \(recipient)
            """, logger: logger
        ).decode(Data?.self) { return body }
        return nil
    }

    /// Where and why the attempt was aborted (nil: it was not).
    func secureAbortReason(_ job: UUID, _ round: Int, attempt: Int) async throws -> String? {
        for try await (stage, reason) in try await postgres.query(
            "SELECT stage, reason FROM secure_aborts WHERE job_id = \(job) AND round = \(round) AND attempt = \(attempt)", logger: logger
        ).decode((String, String).self) { return "at \(stage): \(reason)" }
        return nil
    }

    func secureAborts(_ job: UUID, _ round: Int) async throws -> [String] {
        var reasons: [String] = []
        for try await (attempt, stage, reason) in try await postgres.query(
            "SELECT attempt, stage, reason FROM secure_aborts WHERE job_id = \(job) AND round = \(round) ORDER BY attempt", logger: logger
        ).decode((Int, String, String).self) { reasons.append("attempt \(attempt) at \(stage): \(reason)") }
        return reasons
    }

    /// Ends an attempt that cannot finish: its reason is kept, its messages and the open round
    /// are removed, so the next tick opens the round again with fresh tasks and a fresh attempt.
    func abortSecureRound(_ job: UUID, _ round: Int, attempt: Int, stage: String, reason: String) async throws {
        try await postgres.withTransaction(logger: logger) { connection in
            try await connection.query(
                "INSERT INTO secure_aborts (job_id, round, attempt, stage, reason) VALUES (\(job), \(round), \(attempt), \(stage), \(reason)) ON CONFLICT DO NOTHING",
                logger: logger)
            try await connection.query("DELETE FROM secure_messages WHERE job_id = \(job) AND round = \(round)", logger: logger)
            try await connection.query("DELETE FROM secure_rounds WHERE job_id = \(job) AND round = \(round) AND attempt = \(attempt)", logger: logger)
            try await connection.query("DELETE FROM rounds WHERE job_id = \(job) AND round = \(round) AND state = 'open'", logger: logger)
            try await event(job, "secure-round-aborted", ["round": .number(Double(round)), "attempt": .number(Double(attempt)),
                                                          "stage": .string(stage), "reason": .string(reason)], on: connection)
        }
    }

    /// After the round closed: the relayed messages are of no further use.
    func forgetSecureRound(_ job: UUID, _ round: Int) async throws {
        try await postgres.withTransaction(logger: logger) { connection in
            try await connection.query("DELETE FROM secure_messages WHERE job_id = \(job) AND round = \(round)", logger: logger)
            try await connection.query("UPDATE secure_rounds SET stage = 'finished' WHERE job_id = \(job) AND round = \(round)", logger: logger)
        }
    }
}
