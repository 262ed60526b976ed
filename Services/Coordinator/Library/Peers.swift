import AsyncHTTPClient
import CumulusAPI
import CumulusKit
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// The coordinator's calls to the orchestrator, the registry and placement, as its own service
/// account (or, where a person's right is what counts, with their token).
struct Peers: Sendable {
    let client: InternalClient
    let settings: CoordinatorSettings

    func nodes(federation: UUID) async throws -> [NodeView] {
        try await json(.GET, settings.orchestratorURL, "api/v1/nodes?federationId=\(federation.uuidString.lowercased())", body: Optional<String>.none,
                       as: NodeList.self).nodes
    }

    func node(_ id: UUID) async throws -> NodeView {
        try await json(.GET, settings.orchestratorURL, "api/v1/nodes/\(id.uuidString.lowercased())", body: Optional<String>.none, as: NodeDetail.self).node
    }

    func createTask(_ task: NewTask) async throws -> TaskView {
        try await json(.POST, settings.orchestratorURL, "api/v1/tasks", body: task, as: TaskView.self)
    }

    func tasks(federation: UUID, reference: String) async throws -> [TaskView] {
        let reference = reference.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+/"))) ?? reference
        return try await json(.GET, settings.orchestratorURL, "api/v1/tasks?federationId=\(federation.uuidString.lowercased())&reference=\(reference)&limit=1000",
                              body: Optional<String>.none, as: TaskList.self).tasks
    }

    func cancelTask(_ id: UUID) async {
        _ = try? await json(.POST, settings.orchestratorURL, "api/v1/tasks/\(id.uuidString.lowercased())/cancel", body: Optional<String>.none, as: TaskView.self)
    }

    func uploadModel(_ bytes: [UInt8], sha256: String, federation: UUID) async throws {
        var request = HTTPClientRequest(url: settings.registryURL.absoluteString + "/api/v1/models/blobs/\(sha256)?federationId=\(federation.uuidString.lowercased())")
        request.method = .PUT
        request.headers.add(name: "Content-Type", value: "application/octet-stream")
        request.body = .bytes(ByteBuffer(bytes: bytes))
        let response = try await client.execute(request, requestID: nil, timeout: .seconds(120))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard (200..<300).contains(response.status.code) else {
            throw InternalCallError(url: request.url, status: Int(response.status.code), body: String(buffer: body))
        }
    }

    func downloadModel(_ sha256: String) async throws -> [UInt8] {
        let url = settings.registryURL.absoluteString + "/api/v1/models/blobs/\(sha256)"
        let response = try await client.execute(HTTPClientRequest(url: url), requestID: nil, timeout: .seconds(120))
        let body = try await response.body.collect(upTo: 4 << 30)
        guard response.status == .ok else { throw InternalCallError(url: url, status: Int(response.status.code), body: String(buffer: body)) }
        return Array(body.readableBytesView)
    }

    /// A deployment as placement shows it; with `bearer`, as that person may see it.
    func deployment(_ id: UUID, bearer: String? = nil) async throws -> DeploymentView {
        try await client.json(try InternalClient.jsonRequest(.GET, settings.placementURL.absoluteString + "/api/v1/deployments/\(id.uuidString.lowercased())",
                                                             bearer: bearer), as: DeploymentView.self, requestID: nil, limit: 1 << 20)
    }

    /// What an aggregator endpoint says it is (`GET {endpoint}/identity`), asked without the
    /// service's token: the endpoint may run on a cloud VM, outside the suite's trust.
    func aggregatorIdentity(_ endpoint: String) async throws -> AggregatorIdentity {
        var request = HTTPClientRequest(url: endpoint + "/identity")
        request.headers.add(name: "Accept", value: "application/json")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 16)
        guard response.status == .ok else { throw InternalCallError(url: request.url, status: Int(response.status.code), body: String(buffer: body)) }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(AggregatorIdentity.self, from: Data(buffer: body))
    }

    func registerVersion(_ version: NewModelVersion) async throws {
        _ = try await json(.POST, settings.registryURL, "api/v1/models/versions", body: version, as: ModelVersion.self)
    }

    private func json<Answer: Decodable>(_ method: HTTPMethod, _ base: URL, _ path: String, body: (some Encodable)?, as: Answer.Type) async throws -> Answer {
        try await client.json(try InternalClient.jsonRequest(method, base.absoluteString + "/" + path, body: body), as: Answer.self, requestID: nil)
    }
}
