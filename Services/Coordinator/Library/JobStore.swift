import CumulusAPI
import CumulusKit
import FederatedCore
import Foundation
import Logging
import PostgresNIO

/// Jobs, rounds, accepted updates and job events in PostgreSQL: everything the round loop needs
/// to resume after a restart lives here (and the update files on disk).
struct JobStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    struct JobRow: Decodable, Sendable {
        var id: UUID
        var federationId: UUID
        var name: String
        var spec: NewJob
        var state: JobState
        var createdBy: String
        var approvedBy: String?
        var createdAt: Double
        var startedAt: Double?
        var finishedAt: Double?
        var completedRounds: Int
        var globalHash: String?
        var error: String?
        var aggregator: JobAggregator?
        var stopReason: String?
    }

    struct RoundRow: Decodable, Sendable {
        var round: Int
        /// open → (evaluating) → closed, or failed.
        var state: String
        var openedAt: Double
        var deadlineAt: Double
        var closedAt: Double?
        /// organisation → task
        var tasks: [String: UUID]
        var evaluationTasks: [String: UUID]?
        var stragglers: [String: String]
        var modelHash: String?
        var examples: Int
        var trainLoss: Double?
        var evaluationLoss: Double?
        var evaluationAccuracy: Double?
        var accepted: [UUID]
        var rejected: Int
        var verdicts: [UpdateVerdict]?
        var epsilon: Double?
        var clippedUpdates: Int?
        var secure: SecureRoundSummary?
    }

    struct UpdateRow: Sendable {
        var organisation: UUID
        var path: String
        var examples: Int
        var trainLoss: Double?
        var sha256: String
    }

    static let jobJSON = """
        json_build_object('id', j.id, 'federationId', j.federation_id, 'name', j.name, 'spec', j.spec, 'state', j.state, 'createdBy', j.created_by,
            'approvedBy', j.approved_by, 'createdAt', extract(epoch FROM j.created_at), 'startedAt', extract(epoch FROM j.started_at), 'finishedAt', extract(epoch FROM j.finished_at),
            'completedRounds', j.completed_rounds, 'globalHash', j.global_hash, 'error', j.error, 'aggregator', j.aggregator, 'stopReason', j.stop_reason)::text
        """

    static let roundJSON = """
        json_build_object('round', r.round, 'state', r.state, 'openedAt', extract(epoch FROM r.opened_at), 'deadlineAt', extract(epoch FROM r.deadline_at),
            'closedAt', extract(epoch FROM r.closed_at), 'tasks', r.tasks, 'evaluationTasks', r.evaluation_tasks, 'stragglers', r.stragglers,
            'modelHash', r.model_hash, 'examples', r.examples, 'trainLoss', r.train_loss, 'evaluationLoss', r.evaluation_loss,
            'evaluationAccuracy', r.evaluation_accuracy, 'verdicts', r.verdicts, 'epsilon', r.epsilon, 'clippedUpdates', r.clipped_updates,
            'accepted', CASE WHEN r.secure IS NOT NULL THEN (r.secure->'contributors')::json
                ELSE (SELECT coalesce(json_agg(u.organisation_id ORDER BY u.accepted_at), '[]') FROM updates u WHERE u.job_id = r.job_id AND u.round = r.round) END,
            'secure', r.secure,
            'rejected', (SELECT count(*) FROM rejected_updates x WHERE x.job_id = r.job_id AND x.round = r.round))::text
        """

    // MARK: jobs

    func create(_ spec: NewJob, createdBy: String, aggregator: JobAggregator?) async throws -> UUID {
        let id = UUID()
        let aggregatorJSON = try aggregator.map { try Self.json($0) }
        try await postgres.withTransaction(logger: logger) { connection in
            try await connection.query(
                """
                INSERT INTO jobs (id, federation_id, name, spec, state, created_by, aggregator)
                VALUES (\(id), \(spec.federationId), \(spec.name), \(try Self.json(spec))::jsonb, 'queued', \(createdBy), \(aggregatorJSON)::jsonb)
                """, logger: logger)
            try await event(id, "job-queued", ["name": .string(spec.name)], on: connection)
        }
        return id
    }

    func job(_ id: UUID) async throws -> JobRow? {
        for try await text in try await postgres.query("SELECT \(unescaped: Self.jobJSON) FROM jobs j WHERE j.id = \(id)", logger: logger).decode(String.self) {
            return try Self.decode(JobRow.self, text)
        }
        return nil
    }

    func jobs(federation: UUID?, states: [JobState]? = nil, limit: Int = 200) async throws -> [JobRow] {
        var rows: [JobRow] = []
        let stateList = states?.map(\.rawValue)
        for try await text in try await postgres.query(
            """
            SELECT \(unescaped: Self.jobJSON) FROM jobs j
            WHERE (\(federation)::uuid IS NULL OR j.federation_id = \(federation)) AND (\(stateList)::text[] IS NULL OR j.state = ANY(\(stateList)))
            ORDER BY j.created_at DESC LIMIT \(limit)
            """, logger: logger
        ).decode(String.self) { rows.append(try Self.decode(JobRow.self, text)) }
        return rows
    }

    /// Records the approval of a queued job; false if it is not queued or already approved.
    func approve(_ job: UUID, by approver: String) async throws -> Bool {
        var approved = false
        try await postgres.withTransaction(logger: logger) { connection in
            for try await _ in try await connection.query(
                "UPDATE jobs SET approved_by = \(approver), approved_at = now() WHERE id = \(job) AND state = 'queued' AND approved_by IS NULL RETURNING 1",
                logger: logger) { approved = true }
            if approved { try await event(job, "job-approved", ["by": .string(approver)], on: connection) }
        }
        return approved
    }

    func checkpoint(_ job: UUID) async throws -> Data? {
        for try await text in try await postgres.query("SELECT checkpoint FROM jobs WHERE id = \(job)", logger: logger).decode(String?.self) {
            return text.map { Data($0.utf8) }
        }
        return nil
    }

    /// A stateful defence's state after the last closed round (nil before the first, or without one).
    func defenceState(_ job: UUID) async throws -> Data? {
        for try await text in try await postgres.query("SELECT defence_state FROM jobs WHERE id = \(job)", logger: logger).decode(String?.self) {
            return text.map { Data($0.utf8) }
        }
        return nil
    }

    /// The privacy accountant and clipping state after the last closed round (nil before the first).
    func privacyState(_ job: UUID) async throws -> PrivacyChoice.State? {
        for try await text in try await postgres.query("SELECT privacy_state FROM jobs WHERE id = \(job)", logger: logger).decode(String?.self) {
            return try text.map { try Self.decode(PrivacyChoice.State.self, $0) }
        }
        return nil
    }

    /// Ends a job that has done all it may (its privacy budget) as succeeded, saying why.
    func stopEarly(_ job: UUID, reason: String) async throws {
        try await postgres.withTransaction(logger: logger) { connection in
            try await connection.query(
                "UPDATE jobs SET state = 'succeeded', stop_reason = \(reason), finished_at = now() WHERE id = \(job) AND state = 'running'", logger: logger)
            try await event(job, "job-finished", ["state": .string("succeeded"), "stopReason": .string(reason)], on: connection)
        }
    }

    func rounds(_ job: UUID) async throws -> [RoundRow] {
        var rows: [RoundRow] = []
        for try await text in try await postgres.query(
            "SELECT \(unescaped: Self.roundJSON) FROM rounds r WHERE r.job_id = \(job) ORDER BY r.round", logger: logger
        ).decode(String.self) { rows.append(try Self.decode(RoundRow.self, text)) }
        return rows
    }

    func round(_ job: UUID, _ round: Int) async throws -> RoundRow? {
        for try await text in try await postgres.query(
            "SELECT \(unescaped: Self.roundJSON) FROM rounds r WHERE r.job_id = \(job) AND r.round = \(round)", logger: logger
        ).decode(String.self) { return try Self.decode(RoundRow.self, text) }
        return nil
    }

    /// Every open round of a running job, with when it must close.
    func openRounds() async throws -> [(job: UUID, deadlineAt: Date)] {
        var rows: [(job: UUID, deadlineAt: Date)] = []
        for try await (job, deadline) in try await postgres.query(
            """
            SELECT r.job_id, r.deadline_at FROM rounds r JOIN jobs j ON j.id = r.job_id
            WHERE r.state = 'open' AND j.state = 'running'
            """, logger: logger
        ).decode((UUID, Date).self) { rows.append((job, deadline)) }
        return rows
    }

    func start(_ job: UUID, checkpoint: Data, globalHash: String) async throws {
        try await postgres.withTransaction(logger: logger) { connection in
            try await connection.query(
                """
                UPDATE jobs SET state = 'running', started_at = now(), checkpoint = \(String(decoding: checkpoint, as: UTF8.self)), global_hash = \(globalHash)
                WHERE id = \(job) AND state = 'queued'
                """, logger: logger)
            try await event(job, "job-started", ["globalModel": .string(globalHash)], on: connection)
        }
    }

    func finish(_ job: UUID, state: JobState, error: String?) async throws {
        try await postgres.withTransaction(logger: logger) { connection in
            try await connection.query(
                "UPDATE jobs SET state = \(state.rawValue), error = \(error), finished_at = now() WHERE id = \(job) AND state IN ('queued', 'running')",
                logger: logger)
            var data: [String: JSONValue] = ["state": .string(state.rawValue)]
            if let error { data["error"] = .string(error) }
            try await event(job, "job-finished", data, on: connection)
        }
    }

    // MARK: rounds

    func openRound(_ job: UUID, _ round: Int, tasks: [UUID: UUID], deadline: Date) async throws {
        let map = Dictionary(uniqueKeysWithValues: tasks.map { ($0.key.uuidString.lowercased(), $0.value) })
        try await postgres.withTransaction(logger: logger) { connection in
            try await connection.query(
                """
                INSERT INTO rounds (job_id, round, state, deadline_at, tasks) VALUES (\(job), \(round), 'open', \(deadline), \(try Self.json(map))::jsonb)
                ON CONFLICT DO NOTHING
                """, logger: logger)
            try await event(job, "round-opened", ["round": .number(Double(round)), "participants": .number(Double(tasks.count))], on: connection)
        }
    }

    func acceptedUpdates(_ job: UUID, _ round: Int) async throws -> [UpdateRow] {
        var rows: [UpdateRow] = []
        for try await (organisation, path, examples, loss, sha) in try await postgres.query(
            // In organisation order, not arrival order: the same updates always sum to the same bits.
            "SELECT organisation_id, path, examples, train_loss, sha256 FROM updates WHERE job_id = \(job) AND round = \(round) ORDER BY organisation_id",
            logger: logger
        ).decode((UUID, String, Int, Double?, String).self) {
            rows.append(UpdateRow(organisation: organisation, path: path, examples: examples, trainLoss: loss, sha256: sha))
        }
        return rows
    }

    /// The round's new global model is decided: the strategy's checkpoint moves on with it, in
    /// one transaction, so a restart resumes either before this round's aggregation or after it.
    func closeRound(_ job: UUID, _ round: Int, modelHash: String, examples: Int, trainLoss: Double?, stragglers: [String: String],
                    verdicts: [UpdateVerdict]?, checkpoint: Data, defenceState: Data?, privacy: PrivacyChoice.State?, clippedUpdates: Int?,
                    secure: SecureRoundSummary? = nil, evaluationTasks: [UUID: UUID]?) async throws {
        let evaluation = try evaluationTasks.map { try Self.json(Dictionary(uniqueKeysWithValues: $0.map { ($0.key.uuidString.lowercased(), $0.value) })) }
        try await postgres.withTransaction(logger: logger) { connection in
            try await connection.query(
                """
                UPDATE rounds SET state = \(evaluationTasks == nil ? "closed" : "evaluating"), closed_at = now(), model_hash = \(modelHash),
                    examples = \(examples), train_loss = \(trainLoss), stragglers = \(try Self.json(stragglers))::jsonb, evaluation_tasks = \(evaluation)::jsonb,
                    verdicts = \(try verdicts.map { try Self.json($0) })::jsonb, epsilon = \(privacy?.epsilon), clipped_updates = \(clippedUpdates),
                    secure = \(try secure.map { try Self.json($0) })::jsonb
                WHERE job_id = \(job) AND round = \(round) AND state = 'open'
                """, logger: logger)
            try await connection.query(
                """
                UPDATE jobs SET completed_rounds = \(round), global_hash = \(modelHash), checkpoint = \(String(decoding: checkpoint, as: UTF8.self)),
                    defence_state = \(defenceState.map { String(decoding: $0, as: UTF8.self) }), privacy_state = \(try privacy.map { try Self.json($0) })
                WHERE id = \(job) AND completed_rounds = \(round - 1)
                """, logger: logger)
            var data: [String: JSONValue] = ["round": .number(Double(round)), "examples": .number(Double(examples)), "model": .string(modelHash),
                                             "stragglers": .number(Double(stragglers.count))]
            if let trainLoss { data["trainLoss"] = .number(trainLoss) }
            if let epsilon = privacy?.epsilon { data["epsilon"] = .number(epsilon) }
            try await event(job, "round-closed", data, on: connection)
        }
    }

    func finishEvaluation(_ job: UUID, _ round: Int, loss: Double?, accuracy: Double?, examples: Int) async throws {
        try await postgres.withTransaction(logger: logger) { connection in
            try await connection.query(
                """
                UPDATE rounds SET state = 'closed', evaluation_loss = \(loss), evaluation_accuracy = \(accuracy)
                WHERE job_id = \(job) AND round = \(round) AND state = 'evaluating'
                """, logger: logger)
            var data: [String: JSONValue] = ["round": .number(Double(round)), "examples": .number(Double(examples))]
            if let loss { data["loss"] = .number(loss) }
            if let accuracy { data["accuracy"] = .number(accuracy) }
            try await event(job, "round-evaluated", data, on: connection)
        }
    }

    func failRound(_ job: UUID, _ round: Int, stragglers: [String: String]) async throws {
        try await postgres.query(
            "UPDATE rounds SET state = 'failed', closed_at = now(), stragglers = \(try Self.json(stragglers))::jsonb WHERE job_id = \(job) AND round = \(round)",
            logger: logger)
    }

    // MARK: updates

    /// Records an accepted update; false if the participant already has one in this round.
    func recordUpdate(job: UUID, round: Int, organisation: UUID, node: UUID, task: UUID, sha256: String, bytes: Int, examples: Int,
                      trainLoss: Double?, path: String) async throws -> Bool {
        var inserted = false
        try await postgres.withTransaction(logger: logger) { connection in
            for try await _ in try await connection.query(
                """
                INSERT INTO updates (job_id, round, organisation_id, node_id, task_id, sha256, bytes, examples, train_loss, path)
                VALUES (\(job), \(round), \(organisation), \(node), \(task), \(sha256), \(bytes), \(examples), \(trainLoss), \(path))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger: logger) { inserted = true }
            if inserted {
                try await event(job, "update-accepted", ["round": .number(Double(round)), "organisation": .string(organisation.uuidString.lowercased()),
                                                         "examples": .number(Double(examples))], on: connection)
            }
        }
        return inserted
    }

    func recordRejection(job: UUID, round: Int, node: UUID?, reason: String) async {
        do {
            try await postgres.withTransaction(logger: logger) { connection in
                try await connection.query(
                    "INSERT INTO rejected_updates (job_id, round, node_id, reason) VALUES (\(job), \(round), \(node), \(reason))", logger: logger)
                try await event(job, "update-rejected", ["round": .number(Double(round)), "reason": .string(reason)], on: connection)
            }
        } catch {
            logger.warning("could not record a rejected update", metadata: ["error": "\(error)"])
        }
    }

    // MARK: events

    struct Event: Sendable {
        var id: Int64
        var kind: String
        var data: String
    }

    func event(_ job: UUID, _ kind: String, _ data: [String: JSONValue], on connection: PostgresConnection) async throws {
        try await connection.query("INSERT INTO job_events (job_id, kind, data) VALUES (\(job), \(kind), \(try Self.json(data))::jsonb)", logger: logger)
    }

    func events(_ job: UUID, after: Int64, limit: Int = 500) async throws -> [Event] {
        var events: [Event] = []
        for try await (id, kind, data) in try await postgres.query(
            "SELECT id, kind, data::text FROM job_events WHERE job_id = \(job) AND id > \(after) ORDER BY id LIMIT \(limit)", logger: logger
        ).decode((Int64, String, String).self) { events.append(Event(id: id, kind: kind, data: data)) }
        return events
    }

    // MARK: helpers

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }
}

extension JobStore.JobRow {
    func view(rounds: [JobStore.RoundRow]) -> JobView {
        JobView(id: id, federationId: federationId, name: name, spec: spec, state: state, completedRounds: completedRounds, globalModelHash: globalHash,
                error: error, createdBy: createdBy, approvedBy: approvedBy, createdAt: Date(timeIntervalSince1970: createdAt), startedAt: startedAt.map(Date.init(timeIntervalSince1970:)),
                finishedAt: finishedAt.map(Date.init(timeIntervalSince1970:)), aggregator: aggregator, stopReason: stopReason,
                rounds: rounds.map { row in
                    RoundView(round: row.round, state: row.state, openedAt: Date(timeIntervalSince1970: row.openedAt),
                              closedAt: row.closedAt.map(Date.init(timeIntervalSince1970:)), invited: row.tasks.keys.compactMap(UUID.init(uuidString:)).sorted { $0.uuidString < $1.uuidString },
                              accepted: row.accepted, stragglers: row.stragglers, rejectedUpdates: row.rejected, examples: row.examples, trainLoss: row.trainLoss,
                              evaluationLoss: row.evaluationLoss, evaluationAccuracy: row.evaluationAccuracy, modelHash: row.modelHash,
                              verdicts: row.verdicts, epsilon: row.epsilon, clippedUpdates: row.clippedUpdates, secure: row.secure)
                })
    }
}
