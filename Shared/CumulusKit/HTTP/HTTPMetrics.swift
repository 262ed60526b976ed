import Foundation
import Hummingbird
import Logging
import Prometheus

/// The request metrics every service exports, named as the dashboards and alert rules expect:
/// `cumulus_http_requests_total{service,method,route,status}` and
/// `cumulus_http_request_duration_seconds{service,method,route}`.
public struct HTTPMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let service: String

    static let buckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    public init(registry: PrometheusCollectorRegistry, service: String) {
        self.registry = registry
        self.service = service
    }

    public func record(method: String, route: String, status: Int, seconds: Double) {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "cumulus", subsystem: "http", metricName: "requests", unitName: "total",
                helpText: "HTTP requests answered, by route and status."
            ),
            labels: [("service", service), ("method", method), ("route", route), ("status", String(status))]
        ).increment()
        registry.makeValueHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "cumulus", subsystem: "http", metricName: "request_duration", unitName: "seconds",
                helpText: "Time to answer an HTTP request."
            ),
            labels: [("service", service), ("method", method), ("route", route)],
            buckets: Self.buckets
        ).record(seconds)
    }
}

/// Records every request's status and duration and writes one structured access-log line.
/// It sits inside the request-id middleware and outside the problem mapping, so it sees the
/// status the client really got.
///
/// Successful answers on `quietRoutes` (a service's high-rate routes, such as agents'
/// heartbeats) are logged at debug: at a thousand a second their info lines cost the service a
/// fifth of its throughput (measured with orchestrator-bench), and nginx's access log and the
/// request metrics already record each one. Their failures are still logged at info.
public struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: HTTPMetrics
    let quietRoutes: Set<String>

    public init(metrics: HTTPMetrics, quietRoutes: Set<String> = []) {
        self.metrics = metrics
        self.quietRoutes = quietRoutes
    }

    /// The level of a request's access-log line.
    public static func logLevel(route: String, status: Int, quietRoutes: Set<String>) -> Logger.Level {
        status < 400 && quietRoutes.contains(route) ? .debug : .info
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        // Unmatched paths share one label so a scanner cannot blow up the series count
        // (Hummingbird's not-found responder names itself "NotFound").
        let route = context.endpointPath.flatMap { $0 == "NotFound" ? nil : $0 } ?? "unmatched"
        metrics.record(method: request.method.rawValue, route: route, status: response.status.code, seconds: seconds)
        if request.uri.path != "/metrics" && request.uri.path != "/healthz" {
            context.logger.log(
                level: Self.logLevel(route: route, status: Int(response.status.code), quietRoutes: quietRoutes),
                "request",
                metadata: [
                    "method": .string(request.method.rawValue),
                    "path": .string(request.uri.path),
                    "route": .string(route),
                    "status": .stringConvertible(response.status.code),
                    "duration_ms": .stringConvertible((seconds * 1000 * 1000).rounded() / 1000),
                ]
            )
        }
        return response
    }
}
