import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

import CloudClients

/// Where the local provider stand-ins run. The tests that talk to them fail (never skip) when
/// the variables are missing: Tests/CloudPeers/run_with_peers.sh starts both and sets them.
public enum CloudTestEnvironment {
    public static let peersVariable = "CUMULUS_TEST_CLOUD_PEERS_URL"
    public static let motoVariable = "CUMULUS_TEST_MOTO_URL"

    public struct Missing: Error, CustomStringConvertible {
        let variable: String
        let what: String
        public var description: String {
            "\(variable) is not set: these tests need \(what). Start them with "
                + "`Tests/CloudPeers/run_with_peers.sh swift test …` (or start them yourself and export "
                + "\(CloudTestEnvironment.peersVariable) and \(CloudTestEnvironment.motoVariable))."
        }
    }

    /// e.g. http://127.0.0.1:18080 (no trailing slash).
    public static func peersURL() throws -> String {
        try url(peersVariable, what: "the cloud peers (python3 Tests/CloudPeers/cloud_peers.py --port PORT)")
    }

    /// e.g. http://127.0.0.1:18081
    public static func motoURL() throws -> String {
        try url(motoVariable, what: "moto's server (INITIAL_NO_AUTH_ACTION_COUNT=0 moto_server -H 127.0.0.1 -p PORT)")
    }

    private static func url(_ variable: String, what: String) throws -> String {
        guard var value = ProcessInfo.processInfo.environment[variable], !value.isEmpty else {
            throw Missing(variable: variable, what: what)
        }
        while value.hasSuffix("/") { value.removeLast() }
        return value
    }

    /// One client for all tests, configured as production should configure it. Never shut down:
    /// it lives as long as the test process.
    public static let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: CloudClients.recommendedHTTPConfiguration())

    public struct PeerError: Error, CustomStringConvertible {
        public let description: String
    }

    /// POSTs JSON to a test-only endpoint of the peers and returns the decoded answer.
    public static func peerPOST<Answer: Decodable>(_ path: String, _ body: some Encodable, as: Answer.Type) async throws -> Answer {
        let url = try peersURL() + path
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        let response = try await http.execute(request, timeout: .seconds(30))
        let data = Data(try await response.body.collect(upTo: 1 << 20).readableBytesView)
        guard response.status == .created || response.status == .ok else {
            throw PeerError(description: "\(url) answered \(response.status.code): \(String(decoding: data, as: UTF8.self))")
        }
        return try JSONDecoder().decode(Answer.self, from: data)
    }

    /// How many requests the peers received for `path` so far.
    public static func peerRequestCount(path: String) async throws -> Int {
        struct Count: Decodable { let count: Int }
        let encoded = SigV4Encoding.encode(path)
        let url = try peersURL() + "/__test/requests?path=" + encoded
        let response = try await http.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        let data = Data(try await response.body.collect(upTo: 1 << 16).readableBytesView)
        guard response.status == .ok else { throw PeerError(description: "\(url) answered \(response.status.code)") }
        return try JSONDecoder().decode(Count.self, from: data).count
    }

    /// A short unique suffix so tests running in parallel (or again against the same peers)
    /// never share a registration.
    public static func unique() -> String {
        String(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12))
    }
}
