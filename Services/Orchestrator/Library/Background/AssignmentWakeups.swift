import CumulusKit
import Foundation
import Logging
import ServiceLifecycle

/// Wakes an agent's long-poll when its node is given a task, whichever replica decided it: every
/// replica tails `cumulus.tasks.assigned` and bumps the node's generation; a waiting long-poll
/// notices within 100 ms and takes the task from PostgreSQL. The stream only shortens waits —
/// long-polls re-check PostgreSQL every second anyway, so a lost notice costs a second, no more.
actor AssignmentWakeups {
    private var generations: [UUID: Int] = [:]

    func signal(_ node: UUID) { generations[node, default: 0] += 1 }

    func generation(_ node: UUID) -> Int { generations[node, default: 0] }

    /// Returns when `node` is signalled after `seen`, or after `limit`.
    func wait(_ node: UUID, after seen: Int, limit: Duration) async {
        let clock = ContinuousClock()
        let end = clock.now + limit
        while clock.now < end, generations[node, default: 0] == seen, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(100))
        }
    }
}

struct AssignmentListener: Service {
    let wakeups: AssignmentWakeups
    let connection: RedisConnection
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var last: String?
            while !Task.isCancelled {
                do {
                    if last == nil { last = try await connection.lastID(TaskEngine.assignedStream) }
                    for message in try await connection.read(TaskEngine.assignedStream, after: last!, block: .seconds(1)) {
                        last = message.id
                        if let node = message.fields["node"].flatMap(UUID.init(uuidString:)) { await wakeups.signal(node) }
                    }
                } catch {
                    logger.warning("assignment listener: \(error)")
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
        await connection.close()
    }
}
