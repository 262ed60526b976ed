import CumulusAPI
import CumulusKit
import Foundation
import Logging
import ServiceLifecycle

/// Puts the usage outbox on the `cumulus.usage` stream, in order and once per row (the store
/// holds the rows' locks while they are published; see `DeploymentStore.publishUsage`).
struct UsagePublisher: Sendable {
    static let stream = UsageStream.name
    let store: DeploymentStore
    let redis: any RedisCommandRunner
    let logger: Logger

    /// Publishes everything pending; returns how many rows went out (or were dropped as malformed).
    @discardableResult
    func flush() async throws -> Int {
        var published = 0
        while true {
            let taken = try await store.publishUsage { id, text in
                guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                    logger.error("usage outbox row is not an object; dropped", metadata: ["id": "\(id)"])
                    return
                }
                var fields = object.mapValues { value -> String in
                    if let number = value as? NSNumber { return number.stringValue }
                    return "\(value)"
                }
                fields["eventId"] = id.uuidString.lowercased()
                _ = try await redis.xadd(Self.stream, fields: fields)
            }
            published += taken
            if taken < 500 { return published }
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
