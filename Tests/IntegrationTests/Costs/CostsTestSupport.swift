import CumulusAPI
import CumulusKit
import Foundation
import NIOHTTP1
import Testing

/// Helpers for the costs integration tests: the gateway as a user sees it, the shared reference
/// tables, and the streams the service writes.
enum CostsTestSupport {
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    static func gateway() throws -> GovernanceClient { GovernanceClient(base: try TestEnvironment.gateway()) }

    /// Sends a raw body (CSV) through the gateway.
    static func send(_ method: HTTPMethod, _ path: String, token: String?, body: Data, contentType: String = "text/csv") async throws -> HTTPTestClient.Answer {
        var headers = ["Content-Type": contentType]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        return try await HTTPTestClient.send(try TestEnvironment.gateway() + path, method: method, headers: headers, body: body)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ answer: HTTPTestClient.Answer, expect status: Int = 200,
                                     sourceLocation: SourceLocation = #_sourceLocation) throws -> T {
        #expect(answer.status == status, "\(answer.status): \(answer.text.prefix(2000))", sourceLocation: sourceLocation)
        return try decoder.decode(T.self, from: answer.body)
    }

    /// The problem document of a 4xx answer, and the field it names.
    static func problemField(_ answer: HTTPTestClient.Answer, status: Int = 400, sourceLocation: SourceLocation = #_sourceLocation) throws -> String? {
        #expect(answer.status == status, "\(answer.status): \(answer.text.prefix(1000))", sourceLocation: sourceLocation)
        #expect(answer.header("content-type") == "application/problem+json", sourceLocation: sourceLocation)
        return try decoder.decode(ProblemDetails.self, from: answer.body).errors?.first?.field
    }

    // MARK: shared reference data (SharedDataSupport finds the files)

    /// Non-blank data lines of a CSV (the header excluded), counted independently of the parser.
    static func dataLines(_ data: Data) -> [String] {
        var text = String(decoding: data, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        // "\r\n" is one Character in Swift, and a newline.
        return text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).dropFirst()
            .map(String.init)
            .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }

    // MARK: streams

    /// Every entry of a stream, oldest first.
    static func entries(_ stream: String) async throws -> [(id: String, fields: [String: String])] {
        let pool = RedisPool(url: try TestEnvironment.redis(), maximumConnections: 1)
        let reply = try await pool.send("XRANGE", stream, "-", "+")
        var entries: [(id: String, fields: [String: String])] = []
        for entry in reply.array ?? [] {
            guard let pair = entry.array, pair.count == 2, let id = pair[0].string, let flat = pair[1].array else { continue }
            var fields: [String: String] = [:]
            var index = 0
            while index + 1 < flat.count {
                if let key = flat[index].string, let value = flat[index + 1].string { fields[key] = value }
                index += 2
            }
            entries.append((id, fields))
        }
        return entries
    }

    static func publishUsage(_ fields: [String: String]) async throws {
        let pool = RedisPool(url: try TestEnvironment.redis(), maximumConnections: 1)
        try await pool.xadd(UsageStream.name, fields: fields)
    }

    /// Polls `probe` until it returns a value (the service works asynchronously), failing with
    /// `what` after `limit`. This only waits; the tests assert on what came back.
    static func eventually<T>(_ what: String, limit: Duration = .seconds(60), _ probe: () async throws -> T?) async throws -> T {
        let end = ContinuousClock.now + limit
        while true {
            if let value = try await probe() { return value }
            guard ContinuousClock.now < end else { throw Timeout(what: what) }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    struct Timeout: Error, CustomStringConvertible {
        let what: String
        var description: String { "gave up waiting for \(what)" }
    }

    static func today() -> String { String(UsageStream.timestamp(Date()).prefix(10)) }
}
