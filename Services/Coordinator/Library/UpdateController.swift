import Crypto
import CumulusAPI
import CumulusKit
import FederatedCore
import Foundation
import Hummingbird
import HTTPTypes
import Logging

/// Update intake: `PUT /api/v1/jobs/{id}/rounds/{round}/update`, a safetensors body streamed
/// through nginx to disk. It is accepted only when the round is open, the task is the node's
/// participant's task for that round, the size is within the limit, the tensors' names, shapes
/// and dtypes match the global model, every value is finite, and the node's Ed25519 signature
/// over the content hash verifies; then it is synced to disk and recorded before the answer.
/// Anything else is a precise 4xx, recorded with its reason, and the round goes on.
struct UpdateController: Sendable {
    let store: JobStore
    let peers: Peers
    let models: ModelCache
    let keys: NodeKeys
    let folder: URL
    let metrics: TrainingMetrics
    let logger: Logger

    func addRoutes(to router: Router<CumulusRequestContext>) {
        router.put("/api/v1/jobs/{id}/rounds/{round}/update") { request, context in try await upload(request, context) }
    }

    func upload(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let caller = try await RoundSubmission(context, store: store, purpose: "uploading updates")
        do {
            return try await accept(request, job: caller.job, round: caller.round, node: caller.node, organisation: caller.organisation)
        } catch let problem as Problem {
            await store.recordRejection(job: caller.job.id, round: caller.round, node: caller.node, reason: problem.details.detail ?? problem.details.title)
            metrics.updateReceived(outcome: "rejected", reason: problem.details.errors?.first?.field ?? "status-\(problem.details.status)")
            throw problem
        }
    }

    private func accept(_ request: Request, job: JobStore.JobRow, round number: Int, node: UUID, organisation: UUID) async throws -> Response {
        guard job.state == .running, let round = try await store.round(job.id, number), round.state == "open" else {
            throw Problem.conflict("round \(number) of job \(job.id.uuidString.lowercased()) is not open for updates")
        }
        guard let taskText = request.headers[HTTPField.Name(UpdateHeaders.task)!], let task = UUID(uuidString: taskText) else {
            throw Problem.invalidField(UpdateHeaders.task, "is required: the id of the train task this update answers")
        }
        guard round.tasks[organisation.uuidString.lowercased()] == task else {
            throw Problem(.forbidden, detail: "task \(task.uuidString.lowercased()) is not your organisation's task in round \(number)")
        }
        guard let examplesText = request.headers[HTTPField.Name(UpdateHeaders.examples)!], let examples = Int(examplesText), (1...1_000_000_000).contains(examples) else {
            throw Problem.invalidField(UpdateHeaders.examples, "must be the number of training examples, 1 to 1000000000", limit: "1000000000")
        }
        guard let signatureText = request.headers[HTTPField.Name(UpdateHeaders.signature)!], let signature = Data(base64Encoded: signatureText) else {
            throw Problem.invalidField(UpdateHeaders.signature, "is required: base64 Ed25519 signature over the update's SHA-256")
        }
        let trainLoss = request.headers[HTTPField.Name(UpdateHeaders.trainLoss)!].flatMap(Double.init).flatMap { $0.isFinite ? $0 : nil }
        guard let globalHash = job.globalHash else { throw Problem.conflict("the job has no global model yet") }
        let global = try await models.model(globalHash)
        // The update has the global model's tensors: its size is known up to the header.
        let limit = global.reduce(0) { $0 + $1.tensor.byteCount } + (64 << 10)
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw Problem.payloadTooLarge("body", limit: limit) }

        let directory = folder.appending(path: "\(job.id.uuidString.lowercased())/\(number)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let temporary = directory.appending(path: "incoming-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: temporary) }
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else { throw Problem(.internalServerError, detail: "cannot write the update") }
        let handle = try FileHandle(forWritingTo: temporary)
        var hasher = SHA256()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(min(limit, 64 << 20))
        do {
            for try await chunk in request.body {
                guard bytes.count + chunk.readableBytes <= limit else { throw Problem.payloadTooLarge("body", limit: limit) }
                let piece = Array(chunk.readableBytesView)
                hasher.update(data: piece)
                bytes.append(contentsOf: piece)
                try handle.write(contentsOf: piece)
            }
            try handle.synchronize()
            try handle.close()
        } catch {
            try? handle.close()
            throw error
        }
        let sha256 = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        // The content first (cheap to refuse), then the signature (needs the node's key).
        let update: TensorCollection
        do {
            update = try SafetensorsReader(maximumHeaderSize: 1 << 20, requireFinite: true).read(bytes)
        } catch {
            throw Problem.invalidField("body", "is not a valid safetensors file: \(error)")
        }
        do {
            try ModelLayout(global).validate(update)
        } catch {
            throw Problem.invalidField("body", "does not match the global model: \(error)")
        }
        let key = try await keys.signingKey(of: node)
        guard key.isValidSignature(signature, for: UpdateHeaders.signedMessage(sha256: sha256, jobId: job.id, round: number, task: task)) else {
            throw Problem.invalidField(UpdateHeaders.signature, "does not verify with the node's enrolled key for this job, round, task and content")
        }
        let final = directory.appending(path: "\(organisation.uuidString.lowercased())-\(sha256).safetensors")
        if !FileManager.default.fileExists(atPath: final.path) { try FileManager.default.moveItem(at: temporary, to: final) }
        guard try await store.recordUpdate(job: job.id, round: number, organisation: organisation, node: node, task: task, sha256: sha256, bytes: bytes.count,
                                           examples: examples, trainLoss: trainLoss, path: final.path) else {
            throw Problem.conflict("your organisation already submitted an update for round \(number)")
        }
        metrics.updateReceived(outcome: "accepted", reason: "")
        logger.info("update accepted", metadata: ["job": "\(job.id)", "round": "\(number)", "node": "\(node)", "bytes": "\(bytes.count)"])
        return try Response.json(UpdateReceipt(jobId: job.id, round: number, sha256: sha256, examples: examples, bytes: bytes.count), status: .created)
    }
}

/// Nodes' Ed25519 keys, as the orchestrator knows them from enrolment. Cached: a node's key
/// never changes (re-enrolment makes a new node).
actor NodeKeys {
    let peers: Peers
    private var keys: [UUID: Curve25519.Signing.PublicKey] = [:]

    init(peers: Peers) { self.peers = peers }

    func signingKey(of node: UUID) async throws -> Curve25519.Signing.PublicKey {
        if let known = keys[node] { return known }
        let view = try await peers.node(node)
        guard let raw = Data(base64Encoded: view.signingPublicKey), let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else {
            throw Problem(.conflict, detail: "the node's registered signing key is unusable; re-enrol the node")
        }
        keys[node] = key
        return key
    }
}
