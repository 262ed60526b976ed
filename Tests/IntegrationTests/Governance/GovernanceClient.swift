import CumulusAPI
import Foundation
import NIOHTTP1
import Testing

/// Talks to the governance service the test script started, as a user would.
struct GovernanceClient {
    let base: String

    static func direct() throws -> GovernanceClient { GovernanceClient(base: try TestEnvironment.serviceURL(.governance)) }

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    func send(_ method: HTTPMethod, _ path: String, token: String? = nil, json body: (some Encodable)? = Optional<String>.none) async throws -> HTTPTestClient.Answer {
        var headers = ["Content-Type": "application/json"]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        let data = try body.map { try JSONEncoder().encode($0) }
        return try await HTTPTestClient.send(base + path, method: method, headers: headers, body: data)
    }

    /// `send`, waiting out the gateway's rate limit on /api/v1/auth (429) as a polite client
    /// does: suites that enrol many in-test nodes at once would otherwise trip it.
    func sendWaitingOutRateLimit(_ method: HTTPMethod, _ path: String, token: String? = nil, json body: (some Encodable)? = Optional<String>.none) async throws -> HTTPTestClient.Answer {
        var answer = try await send(method, path, token: token, json: body)
        for attempt in 0..<30 where answer.status == 429 {
            try await Task.sleep(for: .milliseconds(200 + 100 * min(attempt, 10)))
            answer = try await send(method, path, token: token, json: body)
        }
        return answer
    }

    func decode<T: Decodable>(_ type: T.Type, _ answer: HTTPTestClient.Answer, expect status: Int, sourceLocation: SourceLocation = #_sourceLocation) throws -> T {
        #expect(answer.status == status, "\(answer.status): \(answer.text)", sourceLocation: sourceLocation)
        return try Self.decoder.decode(T.self, from: answer.body)
    }

    func problem(_ answer: HTTPTestClient.Answer, status: Int, sourceLocation: SourceLocation = #_sourceLocation) throws -> ProblemDetails {
        #expect(answer.header("content-type") == "application/problem+json", sourceLocation: sourceLocation)
        return try decode(ProblemDetails.self, answer, expect: status, sourceLocation: sourceLocation)
    }

    func login(_ email: String, _ password: String) async throws -> TokenPair {
        try decode(TokenPair.self, try await send(.POST, "/api/v1/auth/login", json: LoginRequest(email: email, password: password)), expect: 200)
    }

    func adminToken() async throws -> String {
        try await login(try TestEnvironment.value("CUMULUS_TEST_ADMIN_EMAIL"), try TestEnvironment.value("CUMULUS_TEST_ADMIN_PASSWORD")).accessToken
    }

    /// A fresh organisation with its administrator, logged in.
    struct Tenant {
        var organisation: Organisation
        var adminEmail: String
        var adminToken: String
        var adminID: UUID
    }

    func makeTenant(_ label: String, adminToken platform: String) async throws -> Tenant {
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let email = "admin-\(suffix)@\(label).example"
        let organisation = try decode(Organisation.self, try await send(
            .POST, "/api/v1/orgs", token: platform,
            json: NewOrganisation(name: "\(label)-\(suffix)", admin: NewUser(email: email, password: Self.password, displayName: "Admin \(label)"))), expect: 201)
        let token = try await login(email, Self.password).accessToken
        let me = try decode(User.self, try await send(.GET, "/api/v1/auth/me", token: token), expect: 200)
        return Tenant(organisation: organisation, adminEmail: email, adminToken: token, adminID: me.id)
    }

    func makeUser(in tenant: Tenant, _ label: String) async throws -> (user: User, token: String) {
        let email = "\(label)-\(UUID().uuidString.prefix(8).lowercased())@\(tenant.organisation.name).example"
        let user = try decode(User.self, try await send(
            .POST, "/api/v1/orgs/\(tenant.organisation.id)/users", token: tenant.adminToken,
            json: NewUser(email: email, password: Self.password, displayName: label)), expect: 201)
        return (user, try await login(email, Self.password).accessToken)
    }

    func builtInRole(_ name: String, token: String) async throws -> Role {
        let roles = try decode([Role].self, try await send(.GET, "/api/v1/roles", token: token), expect: 200)
        return try #require(roles.first { $0.name == name && $0.builtIn })
    }

    static let password = "correct horse battery staple"
}

/// The reusable tenancy check: every endpoint, called with another tenant's token, must answer
/// 404 and must not echo the resource's data. Later services pass their own endpoint lists.
enum TenancyProbe {
    struct Endpoint: CustomStringConvertible {
        var method: HTTPMethod
        var path: String
        var body: String?
        var description: String { "\(method) \(path)" }
    }

    static func assertCrossTenantDenied(
        base: String, endpoints: [Endpoint], foreignToken: String, secrets: [String] = [],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        for endpoint in endpoints {
            let answer = try await HTTPTestClient.send(
                base + endpoint.path, method: endpoint.method,
                headers: ["Authorization": "Bearer \(foreignToken)", "Content-Type": "application/json"],
                body: endpoint.body.map { Data($0.utf8) })
            #expect(answer.status == 404, "\(endpoint) answered \(answer.status) to another tenant: \(answer.text)", sourceLocation: sourceLocation)
            for secret in secrets {
                #expect(!answer.text.contains(secret), "\(endpoint) leaked '\(secret)'", sourceLocation: sourceLocation)
            }
        }
    }
}
