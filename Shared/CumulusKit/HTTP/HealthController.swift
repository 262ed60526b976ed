import CumulusAPI
import Foundation
import Hummingbird
import Logging
import Prometheus

/// `/healthz`, `/readyz`, `/metrics` and `/openapi.yaml`, the same on every service.
struct HealthController: Sendable {
    let dependencies: ServiceDependencies
    let openAPI: String
    var consumedStreams: [StreamGroup] = []

    func addRoutes(to router: Router<CumulusRequestContext>) {
        router.get("/healthz") { _, _ in
            try Response.json(HealthReport(service: dependencies.configuration.service.rawValue, status: "alive", version: CumulusVersion.current, checks: []), status: .ok)
        }
        router.get("/readyz") { _, context in
            let report = await readiness(logger: context.logger)
            return try Response.json(report, status: report.status == "ready" ? .ok : .serviceUnavailable)
        }
        router.get("/metrics") { _, context in
            // Readiness and queues are measured at scrape time, so their gauges are never stale.
            _ = await readiness(logger: context.logger)
            await measureQueues(logger: context.logger)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: dependencies.metrics.emitToBuffer()))
            )
        }
        router.get("/openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(string: openAPI)))
        }
    }

    /// Checks the database (reachable, migrations applied) and Redis, each with a short timeout,
    /// and publishes the answer as `cumulus_ready`.
    func readiness(logger: Logger) async -> HealthReport {
        async let database = check("database") {
            guard try await dependencies.migrations.isUpToDate(on: dependencies.postgres, logger: logger) else {
                throw ReadinessFailure("migrations of schema \(dependencies.migrations.schema) are not all applied")
            }
        }
        async let redis = check("redis") { try await dependencies.redis.ping() }
        let checks = await [database, redis]
        let ready = checks.allSatisfy(\.ok)
        dependencies.metrics.makeGauge(
            descriptor: MetricNameDescriptor(namespace: "cumulus", metricName: "ready", unitName: "", helpText: "1 when the service's dependencies are usable."),
            labels: [("service", dependencies.configuration.service.rawValue)]
        ).set(ready ? Int64(1) : Int64(0))
        return HealthReport(service: dependencies.configuration.service.rawValue, status: ready ? "ready" : "not ready", version: CumulusVersion.current, checks: checks)
    }

    /// `cumulus_stream_length`, `cumulus_stream_pending` and
    /// `cumulus_stream_oldest_pending_age_seconds` for every stream the service consumes. A Redis
    /// failure leaves the gauges as they were (readiness already reports it).
    func measureQueues(logger: Logger) async {
        let metrics = dependencies.metrics
        for consumed in consumedStreams {
            do {
                try await withTimeout(.seconds(2)) {
                    let length = try await dependencies.redis.length(consumed.stream)
                    let pending = try await dependencies.redis.pending(consumed.stream, group: consumed.group)
                    let age = pending.oldestAddedAt.map { max(0, Date.now.timeIntervalSince($0)) } ?? 0
                    let labels = [("stream", consumed.stream), ("group", consumed.group)]
                    metrics.makeGauge(descriptor: Self.streamLength, labels: [("stream", consumed.stream)]).set(Int64(length))
                    metrics.makeGauge(descriptor: Self.streamPending, labels: labels).set(Int64(pending.count))
                    metrics.makeGauge(descriptor: Self.oldestPendingAge, labels: labels).set(age)
                }
            } catch {
                logger.warning("could not measure a stream", metadata: ["stream": "\(consumed.stream)", "error": "\(error)"])
            }
        }
    }

    static var streamLength: MetricNameDescriptor { MetricNameDescriptor(namespace: "cumulus", metricName: "stream_length", unitName: "", helpText: "Entries in a Redis stream this service reads.") }
    static var streamPending: MetricNameDescriptor { MetricNameDescriptor(namespace: "cumulus", metricName: "stream_pending", unitName: "",
                                                    helpText: "Messages delivered to the consumer group but not yet acknowledged.") }
    static var oldestPendingAge: MetricNameDescriptor { MetricNameDescriptor(namespace: "cumulus", metricName: "stream_oldest_pending_age", unitName: "seconds",
                                                       helpText: "Age of the oldest unacknowledged message (0 when none is pending).") }

    private func check(_ name: String, _ body: @escaping @Sendable () async throws -> Void) async -> HealthReport.Check {
        do {
            try await withTimeout(.seconds(2)) { try await body() }
            return .init(name: name, ok: true)
        } catch {
            return .init(name: name, ok: false, detail: "\(error)")
        }
    }

}

struct ReadinessFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

struct TimeoutError: Error, CustomStringConvertible {
    let description = "timed out"
}

/// Runs `body`, giving up after `limit`.
func withTimeout(_ limit: Duration, _ body: @escaping @Sendable () async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw TimeoutError()
        }
        try await group.next()
        group.cancelAll()
    }
}
