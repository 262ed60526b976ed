import CumulusAPI
import Foundation
import PostgresNIO

/// Group commit for heartbeats. Up to `maximumWriters` writes are in flight at once (two: the
/// database works on one batch while the next is sent); heartbeats that arrive meanwhile wait
/// and go together in the next one. A lone heartbeat is written at once (no timer adds latency),
/// and under load each statement and commit carries many. Each request is answered only after
/// its write commits. Batches lock their nodes in id order, so two in flight never deadlock each
/// other. (orchestrator-bench prints what this sustains.)
actor HeartbeatWriter {
    private struct Waiting {
        let id: UUID
        let body: Heartbeat
        let answer: CheckedContinuation<NodeStore.HeartbeatOutcome?, any Error>
    }

    private let store: NodeStore
    private let maximumBatch: Int
    private let maximumWriters: Int
    private var waiting: [Waiting] = []
    private var writers = 0

    init(store: NodeStore, maximumBatch: Int = 500, maximumWriters: Int = 2) {
        self.store = store
        self.maximumBatch = maximumBatch
        self.maximumWriters = max(1, maximumWriters)
    }

    /// The node's status before and after this heartbeat; nil for a node that is not registered.
    func write(id: UUID, _ body: Heartbeat) async throws -> NodeStore.HeartbeatOutcome? {
        try await withCheckedThrowingContinuation { answer in
            waiting.append(Waiting(id: id, body: body, answer: answer))
            if writers < maximumWriters {
                writers += 1
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
        writers -= 1
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
