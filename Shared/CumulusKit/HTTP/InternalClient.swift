import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// How one service calls another: always with the service token (so the callee can authorise
/// the call) and the caller's request id (so one request can be followed across services).
public struct InternalClient: Sendable {
    let http: HTTPClient
    let serviceToken: String?
    public let defaultTimeout: TimeAmount

    public init(http: HTTPClient = .shared, serviceToken: String?, defaultTimeout: TimeAmount = .seconds(10)) {
        self.http = http
        self.serviceToken = serviceToken
        self.defaultTimeout = defaultTimeout
    }

    /// Sends `request` with the service's identity and the request id added.
    public func execute(_ request: HTTPClientRequest, requestID: String?, timeout: TimeAmount? = nil) async throws -> HTTPClientResponse {
        var request = request
        if let serviceToken, !request.headers.contains(name: "Authorization") {
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

    public var description: String { "\(url) answered \(status): \(body.prefix(500))" }
}
