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

    /// GETs `url` and decodes a JSON answer; a non-2xx answer becomes an error naming the status.
    public func getJSON<T: Decodable>(_ type: T.Type, from url: String, requestID: String?, limit: Int = 4 << 20) async throws -> T {
        let response = try await execute(HTTPClientRequest(url: url), requestID: requestID)
        let body = try await response.body.collect(upTo: limit)
        guard (200..<300).contains(response.status.code) else {
            throw InternalCallError(url: url, status: Int(response.status.code), body: String(buffer: body))
        }
        return try JSONDecoder().decode(T.self, from: Data(buffer: body))
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
