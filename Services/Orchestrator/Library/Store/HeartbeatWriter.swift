import CumulusAPI
import Foundation

/// Group commit for heartbeats. One write is in flight at a time; heartbeats that arrive while it
/// runs wait and go together in the next one. A lone heartbeat is written at once (no timer adds
/// latency), and under load each statement and commit carries many, which is what lets one
/// orchestrator take thousands a second. Each request is answered only after its write commits.
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
                let outcomes = try await store.heartbeats(batch.map { ($0.id, $0.body) })
                for entry in batch { entry.answer.resume(returning: outcomes[entry.id]) }
            } catch {
                for entry in batch { entry.answer.resume(throwing: error) }
            }
        }
        writing = false
    }
}
