import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// An HTTP client for the tests: trusts the gateway's self-signed certificate (loopback only).
enum HTTPTestClient {
    static let shared: HTTPClient = {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.httpVersion = .automatic
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    struct Answer {
        var status: Int
        var headers: [String: String]
        var body: Data
        var httpVersion: String

        var text: String { String(decoding: body, as: UTF8.self) }
        func header(_ name: String) -> String? { headers[name.lowercased()] }
    }

    static func send(_ url: String, method: HTTPMethod = .GET, headers: [String: String] = [:], body: Data? = nil) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(data: body)) }
        let response: HTTPClientResponse
        do {
            response = try await shared.execute(request, timeout: .seconds(30))
        } catch where method == .GET && !(error is HTTPClientError) {
            // A GET cut off by the connection closing under it (an HTTP/2 stream reset when the
            // server retires a connection) is safe to send once more; anything else is reported.
            response = try await shared.execute(request, timeout: .seconds(30))
        }
        let collected = try await response.body.collect(upTo: 16 << 20)
        var flat: [String: String] = [:]
        for header in response.headers { flat[header.name.lowercased()] = header.value }
        return Answer(status: Int(response.status.code), headers: flat, body: Data(buffer: collected), httpVersion: "\(response.version.major)")
    }
}
