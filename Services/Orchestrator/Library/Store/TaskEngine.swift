import AssignmentCore
import CumulusAPI
import CumulusKit
import Foundation
import Logging
import PostgresNIO

/// The task state machine in PostgreSQL:
///
///     pending ──decide──▶ assigned ──agent takes it──▶ running ──▶ succeeded
///        ▲                   │                           │
///        └── retry (backoff) ┴── lease lapses / fails / rejects ──▶ failed (attempts spent)
///     any non-terminal ──▶ cancelled (user) | timed_out (deadline)
///
/// Every change happens in a transaction holding the task's row lock, and is recorded in
/// `task_transitions`; several orchestrator replicas may run these concurrently (row locks with
/// SKIP LOCKED for sweeps, an advisory lock per participant for decisions and their cursor).
struct TaskEngine: Sendable {
    let postgres: PostgresClient
    let redis: RedisPool
    let nodes: NodeStore
    let settings: OrchestratorSettings
    let logger: Logger

    /// New tasks; every replica's dispatcher reads it in one consumer group.
    static let dispatchStream = "cumulus.tasks.dispatch"
    /// "A task was assigned to node N"; every replica tails it to wake that node's long-poll.
    static let assignedStream = "cumulus.tasks.assigned"

    // MARK: creating and reading

    func create(_ body: NewTask, createdBy: String) async throws -> TaskView {
        let id = UUID()
        let policy = body.assignment ?? .filtered
        // The random baseline gets one attempt: it is the "no retries" half of the comparison.
        let maxAttempts = policy == .random ? 1 : (body.maxAttempts ?? settings.defaultMaxAttempts)
        let lease = body.leaseSeconds ?? settings.defaultLeaseSeconds
        let deadline = body.deadlineSeconds ?? settings.defaultDeadlineSeconds
        try await postgres.withTransaction(logger: logger) { connection in
            try await connection.query(
                """
                INSERT INTO tasks (id, federation_id, organisation_id, kind, parameters, requirement, assignment, state, max_attempts, lease_seconds,
                                   next_attempt_at, reference, created_by, deadline_at)
                VALUES (\(id), \(body.federationId), \(body.organisationId), \(body.kind), \(try NodeStore.json(body.parameters))::jsonb,
                        \(try NodeStore.json(body.requirement))::jsonb, \(policy.rawValue), 'pending', \(maxAttempts), \(lease), now(), \(body.reference),
                        \(createdBy), now() + make_interval(secs => \(Double(deadline))))
                """, logger: logger)
            try await transition(id, from: nil, to: .pending, node: nil, reason: "created by \(createdBy)", on: connection)
        }
        // Best effort: the sweeper dispatches anything pending that the stream did not.
        do { _ = try await redis.xadd(Self.dispatchStream, fields: ["task": id.uuidString.lowercased()]) } catch {
            logger.warning("could not enqueue a task for dispatch; the sweeper will", metadata: ["task": "\(id)", "error": "\(error)"])
        }
        guard let created = try await task(id, withHistory: true) else { throw Problem(.internalServerError, detail: "the task was not stored") }
        return created.view
    }

    func task(_ id: UUID, withHistory: Bool) async throws -> TaskRow? {
        for try await text in try await postgres.query(
            "SELECT \(unescaped: TaskRow.selectJSON(withHistory: withHistory)) FROM tasks t WHERE t.id = \(id)", logger: logger
        ).decode(String.self) { return try TaskRow.decode(text) }
        return nil
    }

    struct Filter: Sendable {
        var federation: UUID?
        var organisation: UUID?
        var state: TaskState?
        var reference: String?
        var node: UUID?
    }

    func list(_ filter: Filter, withHistory: Bool, limit: Int) async throws -> [TaskRow] {
        var rows: [TaskRow] = []
        for try await text in try await postgres.query(
            """
            SELECT \(unescaped: TaskRow.selectJSON(withHistory: withHistory)) FROM tasks t
            WHERE (\(filter.federation)::uuid IS NULL OR t.federation_id = \(filter.federation))
              AND (\(filter.organisation)::uuid IS NULL OR t.organisation_id = \(filter.organisation))
              AND (\(filter.state?.rawValue)::text IS NULL OR t.state = \(filter.state?.rawValue))
              AND (\(filter.reference)::text IS NULL OR t.reference = \(filter.reference))
              AND (\(filter.node)::uuid IS NULL OR t.node_id = \(filter.node))
            ORDER BY t.created_at DESC, t.id LIMIT \(limit)
            """, logger: logger
        ).decode(String.self) { rows.append(try TaskRow.decode(text)) }
        return rows
    }

    // MARK: deciding

    /// Assigns a pending, due task to a node of its participant, or spends an attempt when none
    /// is eligible. A task another replica holds, or one not pending, is left alone.
    func dispatch(_ id: UUID, now: Date = .now) async throws {
        let assignedNode: UUID? = try await postgres.withTransaction(logger: logger) { connection in
            guard let task = try await lockedTask(id, states: [.pending], dueOnly: true, on: connection) else { return nil }
            if task.deadlineAt < now.timeIntervalSince1970 {
                try await finish(task, state: .timedOut, outcome: "timed_out", reason: "the deadline passed before the task could be assigned", on: connection)
                return nil
            }
            // One decision at a time per participant, so the circular cursor moves in order.
            try await connection.query(
                "SELECT pg_advisory_xact_lock(hashtextextended(\(task.federationId.uuidString + "/" + task.organisationId.uuidString), 7))", logger: logger)
            var cursor: UUID?
            for try await last in try await connection.query(
                "SELECT last_node_id FROM assignment_cursors WHERE federation_id = \(task.federationId) AND organisation_id = \(task.organisationId)",
                logger: logger
            ).decode(UUID.self) { cursor = last }
            var tried = Set<UUID>()
            for try await node in try await connection.query(
                "SELECT node_id FROM task_attempts WHERE task_id = \(id) AND node_id IS NOT NULL", logger: logger
            ).decode(UUID.self) { tried.insert(node) }
            let rows = try await nodes.participantNodes(federation: task.federationId, organisation: task.organisationId, on: connection)
            let hostnames = Dictionary(uniqueKeysWithValues: rows.map { ($0.id, $0.hostname) })
            var decision = Assignment.decide(nodes: rows.map(\.snapshot), requirement: task.requirement, organisation: task.organisationId,
                                             now: now, cursor: cursor, tried: tried)
            if task.assignment == .random {
                // The baseline: any node of the participant, whatever its state.
                decision.chosen = rows.randomElement()?.id
            }
            // A participant with thousands of nodes: the first 100 in circular order are recorded
            // (the chosen one is the first eligible, so it is always among them).
            let verdicts = decision.verdicts.prefix(100).map {
                NodeVerdict(nodeId: $0.node, hostname: hostnames[$0.node] ?? "?", eligible: $0.eligible, reasons: $0.reasons.map(\.description))
            }
            let attempt = task.attempt + 1
            guard let chosen = decision.chosen else {
                // The nodes' own reasons travel with the task's error, up to the job that failed
                // on it: "participant unavailable" alone cannot be acted on.
                let why = verdicts.prefix(3).map { "\($0.hostname): \($0.reasons.joined(separator: ", "))" }.joined(separator: "; ")
                let reason = rows.isEmpty ? "the participant has no enrolled nodes" : "no node of the participant is eligible (\(why))"
                try await connection.query(
                    """
                    INSERT INTO task_attempts (task_id, attempt, node_id, outcome, reason, verdicts, ended_at)
                    VALUES (\(id), \(attempt), NULL, 'no_eligible_node', \(reason), \(try NodeStore.json(verdicts))::jsonb, now())
                    """, logger: logger)
                try await connection.query("UPDATE tasks SET attempt = \(attempt), updated_at = now() WHERE id = \(id)", logger: logger)
                var updated = task
                updated.attempt = attempt
                try await retryOrFail(updated, reason: reason, on: connection)
                return nil
            }
            try await connection.query(
                """
                INSERT INTO task_attempts (task_id, attempt, node_id, outcome, verdicts)
                VALUES (\(id), \(attempt), \(chosen), 'assigned', \(try NodeStore.json(verdicts))::jsonb)
                """, logger: logger)
            // The lease starts now: a node that never picks the task up lets it lapse.
            try await connection.query(
                """
                UPDATE tasks SET state = 'assigned', attempt = \(attempt), node_id = \(chosen), last_sequence = 0, next_attempt_at = NULL,
                    lease_expires_at = now() + make_interval(secs => \(Double(task.leaseSeconds))), updated_at = now()
                WHERE id = \(id)
                """, logger: logger)
            try await connection.query(
                """
                INSERT INTO assignment_cursors (federation_id, organisation_id, last_node_id) VALUES (\(task.federationId), \(task.organisationId), \(chosen))
                ON CONFLICT (federation_id, organisation_id) DO UPDATE SET last_node_id = EXCLUDED.last_node_id
                """, logger: logger)
            try await transition(id, from: .pending, to: .assigned, node: chosen,
                                 reason: "attempt \(attempt) of \(task.maxAttempts) → \(hostnames[chosen] ?? "?")", on: connection)
            return chosen
        }
        if let assignedNode {
            do { _ = try await redis.xadd(Self.assignedStream, fields: ["node": assignedNode.uuidString.lowercased()], maxLength: 10_000) } catch {
                // Long-polls also re-check on their own every second.
                logger.warning("could not announce an assignment", metadata: ["error": "\(error)"])
            }
        }
    }

    // MARK: the agent's side

    /// The oldest task assigned to `node`, now running under a fresh lease; nil if none.
    func take(node: UUID) async throws -> TaskAssignment? {
        try await postgres.withTransaction(logger: logger) { connection in
            var found: String?
            for try await text in try await connection.query(
                """
                SELECT \(unescaped: TaskRow.selectJSON(withHistory: false)) FROM tasks t
                WHERE t.node_id = \(node) AND t.state = 'assigned' ORDER BY t.created_at LIMIT 1 FOR UPDATE SKIP LOCKED
                """, logger: logger
            ).decode(String.self) { found = text }
            guard let found else { return nil }
            let task = try TaskRow.decode(found)
            try await connection.query(
                """
                UPDATE tasks SET state = 'running', lease_expires_at = now() + make_interval(secs => \(Double(task.leaseSeconds))), updated_at = now()
                WHERE id = \(task.id)
                """, logger: logger)
            try await connection.query(
                "UPDATE task_attempts SET outcome = 'running' WHERE task_id = \(task.id) AND attempt = \(task.attempt)", logger: logger)
            try await transition(task.id, from: .assigned, to: .running, node: node, reason: "taken by the agent", on: connection)
            return TaskAssignment(taskId: task.id, attempt: task.attempt, kind: task.kind, parameters: task.parameters,
                                  requirement: task.requirement, leaseSeconds: task.leaseSeconds)
        }
    }

    /// Applies an agent's report. Replays, late reports and reports for a superseded attempt
    /// change nothing and say so; a report about a task never given to this node is a 404.
    func report(_ id: UUID, from node: UUID, _ report: TaskStatusReport) async throws -> TaskStatusAck {
        try await postgres.withTransaction(logger: logger) { connection in
            var attemptNode: UUID?
            var knownAttempt = false
            for try await owner in try await connection.query(
                "SELECT node_id FROM task_attempts WHERE task_id = \(id) AND attempt = \(report.attempt)", logger: logger
            ).decode(UUID?.self) { attemptNode = owner; knownAttempt = true }
            guard knownAttempt, attemptNode == node, let task = try await lockedTask(id, states: nil, dueOnly: false, wait: true, on: connection) else {
                throw Problem.notFound("task \(id.uuidString.lowercased()) for this node")
            }
            guard task.attempt == report.attempt, task.nodeId == node, [.assigned, .running].contains(task.state) else {
                let why = task.state.isTerminal ? "the task is \(task.state.rawValue)" : "attempt \(report.attempt) is no longer current"
                return TaskStatusAck(applied: false, state: task.state, reason: why, stop: true)
            }
            var lastSequence = 0
            for try await value in try await connection.query("SELECT last_sequence FROM tasks WHERE id = \(id)", logger: logger).decode(Int.self) {
                lastSequence = value
            }
            guard report.sequence > lastSequence else {
                return TaskStatusAck(applied: false, state: task.state, reason: "report \(report.sequence) is a replay or arrived out of order (last was \(lastSequence))", stop: false)
            }
            try await connection.query("UPDATE tasks SET last_sequence = \(report.sequence) WHERE id = \(id)", logger: logger)
            switch report.outcome {
            case .running:
                try await connection.query(
                    """
                    UPDATE tasks SET progress = coalesce(\(report.progress), progress), updated_at = now(),
                        lease_expires_at = now() + make_interval(secs => \(Double(task.leaseSeconds)))
                    WHERE id = \(id)
                    """, logger: logger)
                if task.state == .assigned {
                    try await connection.query("UPDATE tasks SET state = 'running' WHERE id = \(id)", logger: logger)
                    try await transition(id, from: .assigned, to: .running, node: node, reason: "the agent reported progress", on: connection)
                }
                return TaskStatusAck(applied: true, state: .running, reason: nil, stop: false)
            case .succeeded:
                try await connection.query(
                    "UPDATE tasks SET result = \(try NodeStore.json(report.result ?? [:]))::jsonb, progress = 1 WHERE id = \(id)", logger: logger)
                try await connection.query("UPDATE nodes SET consecutive_failures = 0 WHERE id = \(node)", logger: logger)
                try await finish(task, state: .succeeded, outcome: "succeeded", reason: report.message, on: connection)
                return TaskStatusAck(applied: true, state: .succeeded, reason: nil, stop: true)
            case .failed, .rejected:
                let verb = report.outcome == .failed ? "failed" : "rejected"
                let reason = "\(verb) on the node: \(report.message ?? "no reason given")"
                try await endAttempt(task, outcome: verb, reason: reason, countsAgainstNode: report.outcome == .failed, on: connection)
                let state = try await retryOrFail(task, reason: reason, on: connection)
                return TaskStatusAck(applied: true, state: state, reason: nil, stop: true)
            }
        }
    }

    /// Cancels a task that has not finished. Returns false if it already had.
    func cancel(_ id: UUID, by actor: String) async throws -> Bool {
        try await postgres.withTransaction(logger: logger) { connection in
            guard let task = try await lockedTask(id, states: [.pending, .assigned, .running], dueOnly: false, wait: true, on: connection) else { return false }
            try await finish(task, state: .cancelled, outcome: "cancelled", reason: "cancelled by \(actor)", on: connection)
            return true
        }
    }

    // MARK: sweeps (every replica runs them; row locks keep each change single)

    /// Pending tasks that are due (new ones the stream missed, retries after their backoff).
    func dueTasks(limit: Int = 100) async throws -> [UUID] {
        var ids: [UUID] = []
        for try await id in try await postgres.query(
            "SELECT id FROM tasks WHERE state = 'pending' AND next_attempt_at <= now() ORDER BY next_attempt_at LIMIT \(limit)", logger: logger
        ).decode(UUID.self) { ids.append(id) }
        return ids
    }

    /// Attempts whose lease lapsed go back for retry; tasks past their deadline time out.
    func expireLeasesAndDeadlines() async throws -> Int {
        var changed = 0
        var ids: [UUID] = []
        for try await id in try await postgres.query(
            """
            SELECT id FROM tasks WHERE (state IN ('assigned', 'running') AND lease_expires_at < now())
               OR (state IN ('pending', 'assigned', 'running') AND deadline_at < now()) LIMIT 200
            """, logger: logger
        ).decode(UUID.self) { ids.append(id) }
        for id in ids {
            let done: Bool = try await postgres.withTransaction(logger: logger) { connection in
                guard let task = try await lockedTask(id, states: [.pending, .assigned, .running], dueOnly: false, on: connection) else { return false }
                let now = Date.now.timeIntervalSince1970
                if task.deadlineAt < now {
                    try await finish(task, state: .timedOut, outcome: "timed_out", reason: "the task's deadline passed", on: connection)
                    return true
                }
                var leaseExpired = false
                for try await expired in try await connection.query(
                    "SELECT lease_expires_at < now() FROM tasks WHERE id = \(id)", logger: logger
                ).decode(Bool?.self) { leaseExpired = expired ?? false }
                guard leaseExpired, task.state != .pending else { return false }
                let reason = task.state == .assigned ? "the node did not pick the task up within its lease" : "the node stopped renewing its lease"
                try await endAttempt(task, outcome: "lease_expired", reason: reason, countsAgainstNode: true, on: connection)
                _ = try await retryOrFail(task, reason: reason, on: connection)
                return true
            }
            if done { changed += 1 }
        }
        return changed
    }

    // MARK: transitions

    /// The task under its row lock. Sweeps and dispatch skip a task another replica holds
    /// (`wait: false`); an agent's report or a cancel waits its turn, since "locked" is not "absent".
    private func lockedTask(_ id: UUID, states: Set<TaskState>?, dueOnly: Bool, wait: Bool = false, on connection: PostgresConnection) async throws -> TaskRow? {
        var found: String?
        for try await text in try await connection.query(
            """
            SELECT \(unescaped: TaskRow.selectJSON(withHistory: false)) FROM tasks t
            WHERE t.id = \(id) AND (\(!dueOnly) OR t.next_attempt_at <= now()) FOR UPDATE \(unescaped: wait ? "" : "SKIP LOCKED")
            """, logger: logger
        ).decode(String.self) { found = text }
        guard let found else { return nil }
        let task = try TaskRow.decode(found)
        if let states, !states.contains(task.state) { return nil }
        return task
    }

    /// Closes the current attempt of a task that is not finished.
    private func endAttempt(_ task: TaskRow, outcome: String, reason: String, countsAgainstNode: Bool, on connection: PostgresConnection) async throws {
        try await connection.query(
            "UPDATE task_attempts SET outcome = \(outcome), reason = \(reason), ended_at = now() WHERE task_id = \(task.id) AND attempt = \(task.attempt)",
            logger: logger)
        guard countsAgainstNode, let node = task.nodeId else { return }
        var failed = false
        for try await marker in try await connection.query(
            """
            UPDATE nodes SET consecutive_failures = consecutive_failures + 1,
                status = CASE WHEN consecutive_failures + 1 >= \(settings.failuresBeforeFailed) AND status = 'active' THEN 'failed' ELSE status END
            WHERE id = \(node) RETURNING CASE WHEN status = 'failed' AND consecutive_failures = \(settings.failuresBeforeFailed) THEN 1 END
            """, logger: logger
        ).decode(Int?.self) where marker != nil { failed = true }
        if failed {
            try await connection.query(
                "INSERT INTO node_events (node_id, kind, detail) VALUES (\(node), 'failed', \("\(settings.failuresBeforeFailed) task attempts in a row failed; undrain once fixed"))",
                logger: logger)
        }
    }

    /// Back to pending after a backoff, or failed with "participant unavailable" when the
    /// attempts are spent. Returns the new state.
    @discardableResult
    private func retryOrFail(_ task: TaskRow, reason: String, on connection: PostgresConnection) async throws -> TaskState {
        if task.attempt < task.maxAttempts {
            let backoff = settings.backoffSeconds(afterAttempt: task.attempt)
            try await connection.query(
                """
                UPDATE tasks SET state = 'pending', node_id = NULL, lease_expires_at = NULL, updated_at = now(),
                    next_attempt_at = now() + make_interval(secs => \(backoff))
                WHERE id = \(task.id)
                """, logger: logger)
            try await transition(task.id, from: task.state, to: .pending, node: task.nodeId,
                                 reason: "\(reason); retry \(task.attempt + 1) of \(task.maxAttempts) in \(OrchestratorValidation.format((backoff * 1000).rounded()) ) ms",
                                 on: connection)
            return .pending
        }
        let error = "participant unavailable: \(task.maxAttempts) attempt\(task.maxAttempts == 1 ? "" : "s") spent; last: \(reason)"
        try await connection.query(
            "UPDATE tasks SET state = 'failed', error = \(error), lease_expires_at = NULL, next_attempt_at = NULL, updated_at = now() WHERE id = \(task.id)",
            logger: logger)
        try await transition(task.id, from: task.state, to: .failed, node: task.nodeId, reason: error, on: connection)
        return .failed
    }

    /// Moves a task to a terminal state, closing its current attempt.
    private func finish(_ task: TaskRow, state: TaskState, outcome: String, reason: String?, on connection: PostgresConnection) async throws {
        if task.attempt > 0, task.state != .pending {
            try await connection.query(
                "UPDATE task_attempts SET outcome = \(outcome), reason = \(reason), ended_at = now() WHERE task_id = \(task.id) AND attempt = \(task.attempt)",
                logger: logger)
        }
        let error: String? = state == .succeeded ? nil : reason
        try await connection.query(
            """
            UPDATE tasks SET state = \(state.rawValue), error = \(error), lease_expires_at = NULL, next_attempt_at = NULL, updated_at = now()
            WHERE id = \(task.id)
            """, logger: logger)
        try await transition(task.id, from: task.state, to: state, node: task.nodeId, reason: reason, on: connection)
    }

    private func transition(_ id: UUID, from: TaskState?, to: TaskState, node: UUID?, reason: String?, on connection: PostgresConnection) async throws {
        try await connection.query(
            "INSERT INTO task_transitions (task_id, from_state, to_state, node_id, reason) VALUES (\(id), \(from?.rawValue), \(to.rawValue), \(node), \(reason))",
            logger: logger)
    }
}
