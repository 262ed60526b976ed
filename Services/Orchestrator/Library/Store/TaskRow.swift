import AssignmentCore
import CumulusAPI
import Foundation

/// A `tasks` row with its attempts and transitions, rendered by PostgreSQL as one JSON text
/// (see `TaskRow.selectJSON`), decoded with the API's own types.
struct TaskRow: Decodable, Sendable {
    var id: UUID
    var federationId: UUID
    var organisationId: UUID
    var kind: String
    var parameters: [String: JSONValue]
    var requirement: TaskRequirement
    var assignment: AssignmentPolicy
    var state: TaskState
    var attempt: Int
    var maxAttempts: Int
    var leaseSeconds: Int
    var nodeId: UUID?
    var progress: Double?
    var result: [String: JSONValue]?
    var error: String?
    var reference: String?
    var createdAt: Double
    var updatedAt: Double
    var deadlineAt: Double
    var attempts: [AttemptRow]?
    var transitions: [TransitionRow]?

    struct AttemptRow: Decodable, Sendable {
        var attempt: Int
        var nodeId: UUID?
        var decidedAt: Double
        var endedAt: Double?
        var outcome: String
        var reason: String?
        var verdicts: [NodeVerdict]
    }

    struct TransitionRow: Decodable, Sendable {
        var at: Double
        var from: TaskState?
        var to: TaskState
        var nodeId: UUID?
        var reason: String?
    }

    /// The select list over `tasks t`; `withHistory` adds attempts and transitions.
    static func selectJSON(withHistory: Bool) -> String {
        let history = withHistory ? """
            , 'attempts', (SELECT coalesce(json_agg(json_build_object(
                'attempt', a.attempt, 'nodeId', a.node_id, 'decidedAt', extract(epoch FROM a.decided_at), 'endedAt', extract(epoch FROM a.ended_at),
                'outcome', a.outcome, 'reason', a.reason, 'verdicts', a.verdicts) ORDER BY a.attempt), '[]') FROM task_attempts a WHERE a.task_id = t.id),
            'transitions', (SELECT coalesce(json_agg(json_build_object(
                'at', extract(epoch FROM x.at), 'from', x.from_state, 'to', x.to_state, 'nodeId', x.node_id, 'reason', x.reason) ORDER BY x.id), '[]')
                FROM task_transitions x WHERE x.task_id = t.id)
            """ : ""
        return """
            json_build_object(
                'id', t.id, 'federationId', t.federation_id, 'organisationId', t.organisation_id, 'kind', t.kind, 'parameters', t.parameters,
                'requirement', t.requirement, 'assignment', t.assignment, 'state', t.state, 'attempt', t.attempt, 'maxAttempts', t.max_attempts,
                'leaseSeconds', t.lease_seconds, 'nodeId', t.node_id, 'progress', t.progress, 'result', t.result, 'error', t.error,
                'reference', t.reference, 'createdAt', extract(epoch FROM t.created_at), 'updatedAt', extract(epoch FROM t.updated_at),
                'deadlineAt', extract(epoch FROM t.deadline_at)\(history))::text
            """
    }

    static func decode(_ text: String) throws -> TaskRow {
        try JSONDecoder().decode(TaskRow.self, from: Data(text.utf8))
    }

    var view: TaskView {
        TaskView(
            id: id, federationId: federationId, organisationId: organisationId, kind: kind, parameters: parameters, requirement: requirement,
            state: state, assignment: assignment, attempt: attempt, maxAttempts: maxAttempts, leaseSeconds: leaseSeconds, nodeId: nodeId,
            progress: progress, result: result, error: error, reference: reference, createdAt: Date(timeIntervalSince1970: createdAt),
            updatedAt: Date(timeIntervalSince1970: updatedAt), deadlineAt: Date(timeIntervalSince1970: deadlineAt),
            attempts: (attempts ?? []).map {
                TaskAttempt(attempt: $0.attempt, nodeId: $0.nodeId, decidedAt: Date(timeIntervalSince1970: $0.decidedAt),
                            endedAt: $0.endedAt.map(Date.init(timeIntervalSince1970:)), outcome: $0.outcome, reason: $0.reason, verdicts: $0.verdicts)
            },
            transitions: (transitions ?? []).map {
                TaskTransition(at: Date(timeIntervalSince1970: $0.at), from: $0.from, to: $0.to, nodeId: $0.nodeId, reason: $0.reason)
            })
    }
}
