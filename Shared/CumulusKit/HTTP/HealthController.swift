import CumulusAPI
import Foundation
import Hummingbird
import Logging
import Prometheus

/// `/healthz`, `/readyz`, `/metrics` and `/openapi.yaml`, the same on every service.
struct HealthController: Sendable {
    let dependencies: ServiceDependencies
    let openAPI: String

    func addRoutes(to router: Router<CumulusRequestContext>) {
        router.get("/healthz") { _, _ in
            try Response.json(HealthReport(service: dependencies.configuration.service.rawValue, status: "alive", version: CumulusVersion.current, checks: []), status: .ok)
        }
        router.get("/readyz") { _, context in
            let report = await readiness(logger: context.logger)
            return try Response.json(report, status: report.status == "ready" ? .ok : .serviceUnavailable)
        }
        router.get("/metrics") { _, context in
            // Readiness is measured at scrape time, so `cumulus_ready` is never stale.
            _ = await readiness(logger: context.logger)
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
