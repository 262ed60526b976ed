import CumulusAPI
import Foundation
import Testing

/// The suite as a client sees it: through nginx, over TLS.
@Suite struct GatewayTests {
    @Test(arguments: ServiceName.allCases)
    func everyServiceIsHealthyAndReadyThroughTheGateway(_ service: ServiceName) async throws {
        let gateway = try TestEnvironment.gateway()
        for (path, status) in [("healthz", "alive"), ("readyz", "ready")] {
            let answer = try await HTTPTestClient.send("\(gateway)/api/v1/\(service.rawValue)/\(path)")
            #expect(answer.status == 200, "\(service) \(path): \(answer.text)")
            let report = try JSONDecoder().decode(HealthReport.self, from: answer.body)
            #expect(report.service == service.rawValue)
            #expect(report.status == status)
            #expect(report.checks.allSatisfy { $0.ok })
        }
        let openAPI = try await HTTPTestClient.send("\(gateway)/api/v1/\(service.rawValue)/openapi.yaml")
        #expect(openAPI.status == 200)
        #expect(openAPI.text.hasPrefix("openapi: 3.1.0"))
        #expect(openAPI.text.contains("/readyz:"))
    }

    @Test func resourcePathsReachTheirOwningService() async throws {
        // An anonymous probe is refused (401) or not found (404) — by the service itself, which
        // names the path in `instance`; the gateway's own problems do not.
        let gateway = try TestEnvironment.gateway()
        for service in ServiceName.allCases {
            for resource in service.resourcePaths {
                let path = "/api/v1/\(resource)/\(UUID().uuidString.lowercased())/probe"
                let answer = try await HTTPTestClient.send(gateway + path)
                #expect([401, 404].contains(answer.status), "\(path): \(answer.status)")
                #expect(answer.header("content-type") == "application/problem+json")
                let problem = try JSONDecoder().decode(ProblemDetails.self, from: answer.body)
                #expect(problem.instance == path, "\(resource) answered by \(service), which sets instance")
            }
        }
    }

    @Test func anUnknownPathIsA404Problem() async throws {
        let answer = try await HTTPTestClient.send("\(try TestEnvironment.gateway())/api/v1/no-such-resource")
        #expect(answer.status == 404)
        #expect(answer.header("content-type") == "application/problem+json")
        let problem = try JSONDecoder().decode(ProblemDetails.self, from: answer.body)
        #expect(problem.status == 404)
    }

    @Test func aBodyOverTheLimitIsA413Problem() async throws {
        let oversized = Data(repeating: UInt8(ascii: "x"), count: 2 << 20)
        let answer = try await HTTPTestClient.send(
            "\(try TestEnvironment.gateway())/api/v1/orgs", method: .POST, headers: ["Content-Type": "application/json"], body: oversized)
        #expect(answer.status == 413)
        #expect(answer.header("content-type") == "application/problem+json")
        let problem = try JSONDecoder().decode(ProblemDetails.self, from: answer.body)
        #expect(problem.status == 413)
        #expect(problem.detail?.isEmpty == false)
    }

    @Test func modelUploadPathsAcceptLargeBodies() async throws {
        // The registry has no upload route yet, so it answers 404 — but nginx let 3 MiB through.
        let body = Data(repeating: 0, count: 3 << 20)
        let answer = try await HTTPTestClient.send(
            "\(try TestEnvironment.gateway())/api/v1/models/probe", method: .POST,
            headers: ["Content-Type": "application/octet-stream"], body: body)
        #expect(answer.status != 413)
    }

    @Test func requestIDsAndSecurityHeadersComeBack() async throws {
        let gateway = try TestEnvironment.gateway()
        let answer = try await HTTPTestClient.send("\(gateway)/api/v1/costs/healthz", headers: ["X-Request-Id": "trace-me-42"])
        #expect(answer.header("x-request-id") == "trace-me-42")
        #expect(answer.header("strict-transport-security") != nil)
        #expect(answer.header("x-content-type-options") == "nosniff")
        let generated = try await HTTPTestClient.send("\(gateway)/api/v1/costs/healthz")
        #expect((generated.header("x-request-id")?.count ?? 0) >= 16)
    }

    @Test func theGatewaySpeaksHTTP2AndServesTheDashboard() async throws {
        let answer = try await HTTPTestClient.send("\(try TestEnvironment.gateway())/")
        #expect(answer.status == 200)
        #expect(answer.httpVersion == "2")
        #expect(answer.text.contains("Cumulus"))
    }

    @Test func metricsAreNotExposedThroughTheGateway() async throws {
        let answer = try await HTTPTestClient.send("\(try TestEnvironment.gateway())/metrics")
        #expect(answer.status == 404)
    }
}
