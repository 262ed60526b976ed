import AsyncHTTPClient
import CumulusAPI
import Crypto
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOSSL

/// The HTTP client of everything outside the suite that talks to its gateway (the agent, the
/// CLI, benchmarks): JSON in and out, problem+json errors turned into messages that say what
/// happened, and one of two identities — a person's or API key's bearer token, or a node's
/// token earned by signing a timestamp with its key (refreshed before it expires, and once on a 401).
public final class GatewayClient: @unchecked Sendable {
    public let base: String
    let http: HTTPClient
    private let lock = NSLock()
    private var token: (value: String, expires: Date)?
    public var nodeId: UUID?
    public var signingKey: Curve25519.Signing.PrivateKey?
    /// A fixed bearer token (a person's or an API key's), used instead of the node flow.
    public var bearerToken: String?

    public struct Failure: Error, CustomStringConvertible {
        public var status: Int?
        public var description: String
        /// Worth retrying: the gateway or a service is down or restarting.
        public var transient: Bool { status == nil || [429, 502, 503, 504].contains(status!) || (status! >= 500) }
        public init(status: Int?, description: String) { self.status = status; self.description = description }
    }

    public init(base: String, insecure: Bool, caFile: String?) throws {
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
        var tls = TLSConfiguration.makeClientConfiguration()
        if insecure { tls.certificateVerification = .none }
        if let caFile {
            tls.trustRoots = .file(caFile)
            // The suite's certificate is made for localhost; allow an IP gateway address too.
            tls.certificateVerification = .noHostnameVerification
        }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(70))
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func shutdown() async { try? await http.shutdown() }

    /// Sends a request and decodes the answer; 204 gives nil.
    public func send<Answer: Decodable>(_ method: HTTPMethod, _ path: String, body: (some Encodable)?, as: Answer.Type, authenticated: Bool = true,
                                 timeout: TimeAmount = .seconds(30)) async throws -> Answer? {
        for attempt in 0..<2 {
            var request = HTTPClientRequest(url: base + path)
            request.method = method
            request.headers.add(name: "Accept", value: "application/json")
            if authenticated { request.headers.add(name: "Authorization", value: "Bearer \(try await accessToken(forceRefresh: attempt > 0))") }
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(body)))
            }
            let response: HTTPClientResponse
            do { response = try await http.execute(request, timeout: timeout) } catch {
                throw Failure(status: nil, description: "cannot reach the gateway at \(base): \(error)")
            }
            let bytes = try await response.body.collect(upTo: 16 << 20)
            let status = Int(response.status.code)
            if status == 401, authenticated, attempt == 0 { continue }
            if status == 204 { return nil }
            guard (200..<300).contains(status) else {
                let problem = try? JSONDecoder().decode(ProblemDetails.self, from: Data(buffer: bytes))
                var text = problem?.detail ?? problem?.title ?? String(buffer: bytes).prefix(300).description
                if let fields = problem?.errors, !fields.isEmpty { text += " (" + fields.map { "\($0.field): \($0.reason)" }.joined(separator: "; ") + ")" }
                throw Failure(status: status, description: "\(method) \(path) answered \(status): \(text)")
            }
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode(Answer.self, from: Data(buffer: bytes))
        }
        throw Failure(status: 401, description: "\(method) \(path): the node's token was refused twice")
    }

    /// A node token, earned by signing the current time with the node's key.
    public func accessToken(forceRefresh: Bool) async throws -> String {
        if let bearerToken { return bearerToken }
        if !forceRefresh, let token = lock.withLock({ self.token }), token.expires > Date.now.addingTimeInterval(60) { return token.value }
        guard let nodeId, let signingKey else { throw Failure(status: 401, description: "no credentials: log in (cumulus login) or enrol the node") }
        let timestamp = Int64(Date.now.timeIntervalSince1970 * 1000)
        let signature = try signingKey.signature(for: NodeTokenRequest.message(nodeId: nodeId, timestamp: timestamp))
        let body = NodeTokenRequest(nodeId: nodeId, timestamp: timestamp, signature: signature.base64EncodedString())
        guard let answer = try await send(.POST, "/api/v1/auth/node-token", body: body, as: AccessToken.self, authenticated: false) else {
            throw Failure(status: 204, description: "the gateway gave no token")
        }
        lock.withLock { token = (answer.accessToken, Date.now.addingTimeInterval(Double(answer.expiresIn))) }
        return answer.accessToken
    }
}

/// Retries `body` while the failure is transient, backing off from 0.5 s to 30 s with jitter, so
/// a gateway restart is ridden out; a permanent failure (4xx) is thrown at once.
public func withBackoff<T>(_ what: String, onRetry: @Sendable (String, [String: String]) -> Void = { _, _ in },
                           _ body: @Sendable () async throws -> T) async throws -> T {
    var delay = 0.5
    while true {
        do { return try await body() } catch let failure as GatewayClient.Failure where failure.transient {
            onRetry("\(what) failed; retrying", ["error": failure.description, "retryInSeconds": String(format: "%.1f", delay)])
            try await Task.sleep(for: .seconds(delay * Double.random(in: 0.8...1.2)))
            delay = min(30, delay * 2)
        }
    }
}

extension GatewayClient {
    /// Downloads a path and returns the number of bytes (the probe's throughput test).
    public func raw(_ path: String) async throws -> Int {
        var request = HTTPClientRequest(url: base + path)
        request.method = .GET
        let response = try await http.execute(request, timeout: .seconds(30))
        guard response.status == .ok else { throw Failure(status: Int(response.status.code), description: "GET \(path) answered \(response.status.code)") }
        return try await response.body.collect(upTo: 64 << 20).readableBytes
    }
}

extension GatewayClient {
    /// GETs a file with the caller's token; `progress` hears (bytes so far, Content-Length if sent)
    /// as the body arrives.
    public func download(_ path: String, progress: (@Sendable (Int, Int?) -> Void)? = nil) async throws -> [UInt8] {
        var request = HTTPClientRequest(url: base + path)
        request.headers.add(name: "Authorization", value: "Bearer \(try await accessToken(forceRefresh: false))")
        let response: HTTPClientResponse
        do { response = try await http.execute(request, timeout: .seconds(300)) } catch {
            throw Failure(status: nil, description: "cannot reach the gateway at \(base): \(error)")
        }
        guard response.status == .ok else {
            let body = try await response.body.collect(upTo: 1 << 20)
            throw Failure(status: Int(response.status.code), description: "GET \(path) answered \(response.status.code): \(String(buffer: body).prefix(300))")
        }
        let expected = response.headers.first(name: "Content-Length").flatMap(Int.init)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(min(expected ?? 0, 1 << 30))
        for try await chunk in response.body {
            bytes.append(contentsOf: chunk.readableBytesView)
            guard bytes.count <= 4 << 30 else { throw Failure(status: nil, description: "GET \(path) sent more than 4 GiB") }
            progress?(bytes.count, expected)
        }
        return bytes
    }

    /// PUTs an update (safetensors) with its headers; answers the coordinator's receipt.
    public func upload(_ path: String, body: [UInt8], headers: [String: String]) async throws -> UpdateReceipt {
        var request = HTTPClientRequest(url: base + path)
        request.method = .PUT
        request.headers.add(name: "Authorization", value: "Bearer \(try await accessToken(forceRefresh: false))")
        request.headers.add(name: "Content-Type", value: "application/octet-stream")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response: HTTPClientResponse
        do { response = try await http.execute(request, timeout: .seconds(300)) } catch {
            throw Failure(status: nil, description: "cannot reach the gateway at \(base): \(error)")
        }
        let bytes = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .created else {
            let problem = try? JSONDecoder().decode(ProblemDetails.self, from: Data(buffer: bytes))
            throw Failure(status: Int(response.status.code), description: "the update was refused (\(response.status.code)): \(problem?.detail ?? String(buffer: bytes).prefix(300).description)")
        }
        return try JSONDecoder().decode(UpdateReceipt.self, from: Data(buffer: bytes))
    }
}

/// One server-sent event.
public struct ServerSentEvent: Sendable {
    public var id: String?
    public var event: String
    public var data: String
}

extension GatewayClient {
    /// Reads a `text/event-stream` until the server ends it.
    public func events(_ path: String) async throws -> AsyncThrowingStream<ServerSentEvent, any Error> {
        var request = HTTPClientRequest(url: base + path)
        request.headers.add(name: "Accept", value: "text/event-stream")
        request.headers.add(name: "Authorization", value: "Bearer \(try await accessToken(forceRefresh: false))")
        let response: HTTPClientResponse
        do { response = try await http.execute(request, timeout: .hours(24)) } catch {
            throw Failure(status: nil, description: "cannot reach the gateway at \(base): \(error)")
        }
        guard response.status == .ok else {
            let body = try await response.body.collect(upTo: 1 << 20)
            let problem = try? JSONDecoder().decode(ProblemDetails.self, from: Data(buffer: body))
            throw Failure(status: Int(response.status.code), description: "GET \(path) answered \(response.status.code): \(problem?.detail ?? String(buffer: body).prefix(300).description)")
        }
        let body = response.body
        return AsyncThrowingStream { continuation in
            let task = Task {
                var pending = ""
                var current = ServerSentEvent(id: nil, event: "message", data: "")
                do {
                    for try await chunk in body {
                        pending += String(buffer: chunk)
                        while let newline = pending.firstIndex(of: "\n") {
                            let line = String(pending[..<newline])
                            pending = String(pending[pending.index(after: newline)...])
                            if line.isEmpty {
                                if !current.data.isEmpty { continuation.yield(current) }
                                current = ServerSentEvent(id: nil, event: "message", data: "")
                            } else if line.hasPrefix("id: ") { current.id = String(line.dropFirst(4)) }
                            else if line.hasPrefix("event: ") { current.event = String(line.dropFirst(7)) }
                            else if line.hasPrefix("data: ") { current.data += String(line.dropFirst(6)) }
                        }
                    }
                    continuation.finish()
                } catch { continuation.finish(throwing: error) }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
