import CumulusAPI
import Foundation
import Hummingbird
import HummingbirdTesting
import Prometheus
import Testing

@testable import CumulusKit

/// The shell's HTTP behaviour (problem+json, request ids, metrics, authentication), exercised
/// through a real router with test routes.
@Suite struct ShellHTTPTests {
    struct Widget: Codable { var name: String; var size: Int }
    struct Boom: Error {}

    static let issuer = "cumulus-governance"
    static let organisation = UUID()

    func makeApp(key: TokenSigningKey, registry: PrometheusCollectorRegistry = .init()) async -> some ApplicationProtocol {
        let policy = StaticGrantPolicy([.init(subject: "alice", permission: "widgets:create", scope: .organisation(Self.organisation))])
        let router = ServiceShell.makeRouter(
            service: .costs, metrics: registry,
            verifier: await TokenSigningKey.verifier(trusting: [key], issuer: Self.issuer), policy: policy
        )
        router.post("/widgets") { request, context -> Response in
            try await context.require("widgets:create", in: .organisation(Self.organisation))
            let widget = try await request.decode(as: Widget.self, context: context)
            guard widget.size <= 10 else { throw Problem.invalidField("size", "must be at most 10", limit: "10") }
            return Response(status: .created)
        }
        router.get("/boom") { _, _ -> Response in throw Boom() }
        return Application(router: router)
    }

    func token(_ key: TokenSigningKey, subject: String) async throws -> String {
        try await key.sign(AccessTokenClaims(subject: subject, issuer: Self.issuer, kind: .user, organisation: Self.organisation))
    }

    static func problem(_ response: TestResponse) throws -> ProblemDetails {
        #expect(response.headers[.contentType] == "application/problem+json")
        return try JSONDecoder().decode(ProblemDetails.self, from: Data(buffer: response.body))
    }

    @Test func unknownPathIsA404Problem() async throws {
        let app = await makeApp(key: TokenSigningKey(keyID: "k"))
        try await app.test(.router) { client in
            try await client.execute(uri: "/nothing/here", method: .get) { response in
                #expect(response.status == .notFound)
                let problem = try Self.problem(response)
                #expect(problem.status == 404)
                #expect(problem.instance == "/nothing/here")
                #expect(problem.requestId != nil)
            }
        }
    }

    @Test func invalidFieldNamesTheFieldAndTheLimit() async throws {
        let key = TokenSigningKey(keyID: "k")
        let app = await makeApp(key: key)
        let bearer = try await token(key, subject: "alice")
        try await app.test(.router) { client in
            try await client.execute(
                uri: "/widgets", method: .post, headers: [.authorization: "Bearer \(bearer)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"name":"w","size":99}"#)
            ) { response in
                #expect(response.status == .badRequest)
                let problem = try Self.problem(response)
                #expect(problem.errors == [.init(field: "size", reason: "must be at most 10", limit: "10")])
            }
            try await client.execute(
                uri: "/widgets", method: .post, headers: [.authorization: "Bearer \(bearer)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"name":"w"}"#)
            ) { response in
                #expect(response.status == .badRequest)
                let detail = try Self.problem(response).detail ?? ""
                #expect(detail.contains("size"))
            }
            try await client.execute(
                uri: "/widgets", method: .post, headers: [.authorization: "Bearer \(bearer)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"name":"w","size":3}"#)
            ) { response in
                #expect(response.status == .created)
            }
        }
    }

    @Test func oversizedJSONBodyIsA413Problem() async throws {
        let key = TokenSigningKey(keyID: "k")
        let app = await makeApp(key: key)
        let bearer = try await token(key, subject: "alice")
        let huge = #"{"name":""# + String(repeating: "x", count: 2 << 20) + #"","size":1}"#
        try await app.test(.router) { client in
            try await client.execute(uri: "/widgets", method: .post, headers: [.authorization: "Bearer \(bearer)"], body: ByteBuffer(string: huge)) { response in
                #expect(response.status == .contentTooLarge)
                let problem = try Self.problem(response)
                #expect(problem.status == 413)
            }
        }
    }

    @Test func unexpectedErrorsAnswerAGeneric500WithTheRequestID() async throws {
        let app = await makeApp(key: TokenSigningKey(keyID: "k"))
        try await app.test(.router) { client in
            try await client.execute(uri: "/boom", method: .get, headers: [.requestID: "req-123"]) { response in
                #expect(response.status == .internalServerError)
                #expect(response.headers[.requestID] == "req-123")
                let problem = try Self.problem(response)
                #expect(problem.requestId == "req-123")
                #expect(problem.detail?.contains("Boom") == false, "internals must not leak")
            }
        }
    }

    @Test func requestIDIsGeneratedWhenMissingOrUnsafe() async throws {
        let app = await makeApp(key: TokenSigningKey(keyID: "k"))
        try await app.test(.router) { client in
            try await client.execute(uri: "/nothing", method: .get, headers: [.requestID: "bad id\nwith newline"]) { response in
                let id = try #require(response.headers[.requestID])
                #expect(!id.contains(" "))
                #expect(UUID(uuidString: id) != nil)
            }
        }
    }

    @Test func authenticationAndAuthorisation() async throws {
        let key = TokenSigningKey(keyID: "k")
        let app = await makeApp(key: key)
        let alice = try await token(key, subject: "alice")
        let bob = try await token(key, subject: "bob")
        let forged = try await TokenSigningKey(keyID: "k").sign(
            AccessTokenClaims(subject: "alice", issuer: Self.issuer, kind: .user, organisation: Self.organisation))
        let body = ByteBuffer(string: #"{"name":"w","size":1}"#)
        try await app.test(.router) { client in
            try await client.execute(uri: "/widgets", method: .post, body: body) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate] == "Bearer")
            }
            try await client.execute(uri: "/widgets", method: .post, headers: [.authorization: "Bearer \(forged)"], body: body) { response in
                #expect(response.status == .unauthorized)
                let detail = try Self.problem(response).detail ?? ""
                #expect(detail.contains("signature"))
            }
            try await client.execute(uri: "/widgets", method: .post, headers: [.authorization: "Basic abc"], body: body) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/widgets", method: .post, headers: [.authorization: "Bearer \(bob)"], body: body) { response in
                #expect(response.status == .forbidden)
                let detail = try Self.problem(response).detail ?? ""
                #expect(detail.contains("widgets:create"))
            }
            try await client.execute(uri: "/widgets", method: .post, headers: [.authorization: "Bearer \(alice)"], body: body) { response in
                #expect(response.status == .created)
            }
        }
    }

    @Test func metricsCountRequestsByRouteAndStatus() async throws {
        let registry = PrometheusCollectorRegistry()
        let app = await makeApp(key: TokenSigningKey(keyID: "k"), registry: registry)
        try await app.test(.router) { client in
            for _ in 0..<3 { try await client.execute(uri: "/boom", method: .get) { _ in } }
            try await client.execute(uri: "/random/\(UUID())", method: .get) { _ in }
        }
        let text = registry.emitToString()
        #expect(text.contains(#"cumulus_http_requests_total{service="costs",method="GET",route="/boom",status="500"} 3"#))
        #expect(text.contains(#"route="unmatched",status="404"} 1"#))
        #expect(text.contains("cumulus_http_request_duration_seconds_bucket"))
    }
}

/// High-rate routes log their successes at debug, their failures at info like every route.
@Suite struct QuietRouteTests {
    @Test func onlySuccessfulAnswersOnQuietRoutesAreLoggedAtDebug() {
        let quiet: Set<String> = ["/api/v1/agent/heartbeat"]
        #expect(HTTPMetricsMiddleware<CumulusRequestContext>.logLevel(route: "/api/v1/agent/heartbeat", status: 200, quietRoutes: quiet) == .debug)
        #expect(HTTPMetricsMiddleware<CumulusRequestContext>.logLevel(route: "/api/v1/agent/heartbeat", status: 400, quietRoutes: quiet) == .info)
        #expect(HTTPMetricsMiddleware<CumulusRequestContext>.logLevel(route: "/api/v1/agent/heartbeat", status: 401, quietRoutes: quiet) == .info)
        #expect(HTTPMetricsMiddleware<CumulusRequestContext>.logLevel(route: "/api/v1/nodes", status: 200, quietRoutes: quiet) == .info)
        #expect(HTTPMetricsMiddleware<CumulusRequestContext>.logLevel(route: "/api/v1/agent/heartbeat", status: 200, quietRoutes: []) == .info)
    }
}
