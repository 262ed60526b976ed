import CumulusAPI
import Foundation
import PostgresNIO

/// Group commit for heartbeats. One write is in flight at a time; heartbeats that arrive while it
/// runs wait and go together in the next one. A lone heartbeat is written at once (no timer adds
/// latency), and under load each statement and commit carries many. Each request is answered
/// only after its write commits. (orchestrator-bench prints what this sustains.)
actor HeartbeatWriter {
    private struct Waiting {
        let id: UUID
        let body: Heartbeat
        let answer: CheckedContinuation<NodeStore.HeartbeatOutcome?, any Error>
    }

    private let store: NodeStore
    private let maximumBatch: Int
    private var waiting: [Waiting] = []
    private var writing = false

    init(store: NodeStore, maximumBatch: Int = 500) {
        self.store = store
        self.maximumBatch = maximumBatch
    }

    /// The node's status before and after this heartbeat; nil for a node that is not registered.
    func write(id: UUID, _ body: Heartbeat) async throws -> NodeStore.HeartbeatOutcome? {
        try await withCheckedThrowingContinuation { answer in
            waiting.append(Waiting(id: id, body: body, answer: answer))
            if !writing {
                writing = true
                Task { await drain() }
            }
        }
    }

    private func drain() async {
        while !waiting.isEmpty {
            let batch = Array(waiting.prefix(maximumBatch))
            waiting.removeFirst(batch.count)
            do {
                let outcomes = try await retryingDeadlocks { try await store.heartbeats(batch.map { ($0.id, $0.body) }) }
                for entry in batch { entry.answer.resume(returning: outcomes[entry.id]) }
            } catch {
                for entry in batch { entry.answer.resume(throwing: error) }
            }
        }
        writing = false
    }

    /// A batch locks many nodes; another replica's batch or the sweeper can lock some of the same
    /// in another order, and PostgreSQL then aborts one of them (40P01). The batch is atomic, so
    /// running it again is safe.
    private func retryingDeadlocks<T>(_ body: () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do { return try await body() } catch let error as PSQLError where error.serverInfo?[.sqlState] == "40P01" && attempt < 3 {
                attempt += 1
            }
        }
    }
}
