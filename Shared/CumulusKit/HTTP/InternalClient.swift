import AsyncHTTPClient
import CumulusAPI
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// How one service calls another: always with the service token (so the callee can authorise
/// the call) and the caller's request id (so one request can be followed across services).
public struct InternalClient: Sendable {
    let http: HTTPClient
    let tokens: ServiceTokenSource
    public let defaultTimeout: TimeAmount

    public init(http: HTTPClient = .shared, serviceToken: String?, defaultTimeout: TimeAmount = .seconds(10)) {
        self.init(http: http, tokens: ServiceTokenSource(fixed: serviceToken), defaultTimeout: defaultTimeout)
    }

    public init(http: HTTPClient = .shared, tokens: ServiceTokenSource, defaultTimeout: TimeAmount = .seconds(10)) {
        self.http = http
        self.tokens = tokens
        self.defaultTimeout = defaultTimeout
    }

    /// The token this service presents as itself (nil when it has no identity configured).
    public func serviceToken() async throws -> String? { try await tokens.token(http: http) }

    /// Sends `request` with the service's identity and the request id added.
    public func execute(_ request: HTTPClientRequest, requestID: String?, timeout: TimeAmount? = nil) async throws -> HTTPClientResponse {
        var request = request
        if !request.headers.contains(name: "Authorization"), let serviceToken = try await tokens.token(http: http) {
            request.headers.add(name: "Authorization", value: "Bearer \(serviceToken)")
        }
        if let requestID { request.headers.replaceOrAdd(name: "X-Request-Id", value: requestID) }
        request.headers.replaceOrAdd(name: "User-Agent", value: "cumulus-internal")
        return try await http.execute(request, timeout: timeout ?? defaultTimeout)
    }

    /// A JSON request: `body` encoded when given, and a bearer token when the call is made on a
    /// person's behalf (otherwise `execute` adds the service's own).
    public static func jsonRequest(_ method: HTTPMethod, _ url: String, body: (some Encodable)? = String?.none, bearer: String? = nil) throws -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(body)))
        }
        return request
    }

    /// Sends `request` and decodes its JSON answer (dates ISO 8601); a non-2xx answer is an
    /// `InternalCallError` naming the URL and the status.
    public func json<Answer: Decodable>(_ request: HTTPClientRequest, as: Answer.Type, requestID: String?, limit: Int = 32 << 20) async throws -> Answer {
        let response = try await execute(request, requestID: requestID)
        let body = try await response.body.collect(upTo: limit)
        guard (200..<300).contains(response.status.code) else {
            throw InternalCallError(url: request.url, status: Int(response.status.code), body: String(buffer: body))
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(Answer.self, from: Data(buffer: body))
    }
}

public struct InternalCallError: Error, CustomStringConvertible {
    public var url: String
    public var status: Int
    public var body: String

    public init(url: String, status: Int, body: String) {
        self.url = url
        self.status = status
        self.body = body
    }

    public var description: String { "\(url) answered \(status): \(body.prefix(500))" }
}

/// Where a service's own access token comes from: a fixed token (`SERVICE_TOKEN`), or its
/// service account's client credentials exchanged at governance and renewed a minute before they
/// expire. Without either, calls go out unauthenticated (and the callee refuses what needs a token).
public actor ServiceTokenSource {
    let fixed: String?
    let exchange: (url: URL, clientID: String, clientSecret: String)?
    private var cached: (token: String, expires: ContinuousClock.Instant)?

    public init(fixed: String?) {
        self.fixed = fixed
        self.exchange = nil
    }

    public init(governanceURL: URL, clientID: String, clientSecret: String) {
        self.fixed = nil
        self.exchange = (governanceURL.appending(path: "api/v1/auth/token"), clientID, clientSecret)
    }

    func token(http: HTTPClient) async throws -> String? {
        if let fixed { return fixed }
        guard let exchange else { return nil }
        if let cached, cached.expires > .now { return cached.token }
        var request = HTTPClientRequest(url: exchange.url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        let body = TokenRequest(grantType: "client_credentials", clientId: exchange.clientID, clientSecret: exchange.clientSecret)
        request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(body)))
        let response = try await http.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 16)
        guard response.status == .ok else {
            throw InternalCallError(url: exchange.url.absoluteString, status: Int(response.status.code), body: String(buffer: bytes))
        }
        let answer = try JSONDecoder().decode(AccessToken.self, from: Data(buffer: bytes))
        cached = (answer.accessToken, .now + .seconds(max(10, answer.expiresIn - 60)))
        return answer.accessToken
    }
}
