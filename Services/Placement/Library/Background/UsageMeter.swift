import CumulusAPI
import CumulusKit
import Foundation
import Logging
import ServiceLifecycle

/// Puts the usage outbox on the `cumulus.usage` stream. Serialised within the process, so two
/// flushes never publish the same row twice from here; across a crash between publishing and
/// deleting a row, the row is published again with the same `eventId`, which consumers dedup.
actor UsagePublisher {
    static let stream = UsageStream.name
    let store: DeploymentStore
    let redis: any RedisCommandRunner
    let logger: Logger

    init(store: DeploymentStore, redis: any RedisCommandRunner, logger: Logger) {
        self.store = store
        self.redis = redis
        self.logger = logger
    }

    /// Publishes everything pending; returns how many events went out.
    @discardableResult
    func flush() async throws -> Int {
        var published = 0
        while true {
            let rows = try await store.pendingUsage()
            for (id, text) in rows {
                guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                    logger.error("usage outbox row is not an object; dropped", metadata: ["id": "\(id)"])
                    try await store.forgetUsage(id)
                    continue
                }
                var fields = object.mapValues { value -> String in
                    if let number = value as? NSNumber { return number.stringValue }
                    return "\(value)"
                }
                fields["eventId"] = id.uuidString.lowercased()
                _ = try await redis.xadd(Self.stream, fields: fields)
                try await store.forgetUsage(id)
                published += 1
            }
            if rows.count < 500 { return published }
        }
    }
}

/// Meters running deployments into aggregator-hours at least every metering interval, and
/// publishes the outbox (also what start and stop wrote, should their own flush have failed).
struct UsageMeter: Service {
    let store: DeploymentStore
    let publisher: UsagePublisher
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await store.meter(interval: interval)
                    try await publisher.flush()
                } catch is CancellationError {
                    break
                } catch {
                    logger.error("placement usage metering failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
