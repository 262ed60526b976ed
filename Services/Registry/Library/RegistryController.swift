import CumulusAPI
import CumulusKit
import Foundation
import Hummingbird
import Logging
import AsyncHTTPClient
import NIOHTTP1
import NIOCore
import PostgresNIO

/// Model versions and their files: content-addressed blobs, versions with metrics, the best
/// version by a metric, downloads with ETag and ranges, and stages (production needs an
/// approved governance approval).
struct RegistryController: Sendable {
    let postgres: PostgresClient
    let blobs: DiskBlobStore
    let governanceURL: URL?
    let internalClient: InternalClient
    let logger: Logger
    /// Largest model file accepted.
    static let blobLimit = 2 << 30

    func addRoutes(to router: Router<CumulusRequestContext>) {
        let models = router.group("/api/v1/models")
        models.put("/blobs/{sha256}") { request, context in try await upload(request, context) }
        models.get("/blobs/{sha256}") { request, context in try await download(request, context) }
        models.post("/versions") { request, context in try await register(request, context) }
        models.get("/versions") { request, context in try await list(request, context) }
        models.get("/versions/{id}") { _, context in try Response.json(try await visibleVersion(context).view) }
        models.post("/versions/{id}/stage") { request, context in try await stage(request, context) }
        models.get("/best") { request, context in try await best(request, context) }
        models.post("/retention") { request, context in try await retain(request, context) }
    }

    // MARK: blobs

    /// `PUT /api/v1/models/blobs/{sha256}?federationId=…`: an initial model (by someone who may
    /// create jobs in the federation) or a round's global model (the coordinator).
    func upload(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let hash = try context.parameters.require("sha256")
        guard DiskBlobStore.isHash(hash) else { throw Problem.invalidField("sha256", "must be a lowercase hex SHA-256 (64 characters)") }
        let federation = try QueryValue.requiredUUID(request.uri.queryParameters["federationId"], "federationId", why: "the federation the model belongs to")
        let identity = try context.requireIdentity()
        if try await !context.policy.allows(identity, "models:register", in: .federation(federation)) {
            try await context.require("jobs:create", in: .federation(federation))
        }
        let chunks = request.body.map { Array($0.readableBytesView) }
        let size: Int
        do {
            size = try await blobs.put(expected: hash, limit: Self.blobLimit, chunks: chunks)
        } catch let error as BlobError {
            switch error {
            case .tooLarge: throw Problem.payloadTooLarge("body", limit: Self.blobLimit)
            default: throw Problem.invalidField("body", error.description)
            }
        }
        try await postgres.withTransaction(logger: logger) { connection in
            try await connection.query("INSERT INTO blobs (sha256, bytes) VALUES (\(hash), \(size)) ON CONFLICT DO NOTHING", logger: logger)
            try await connection.query(
                "INSERT INTO blob_federations (sha256, federation_id) VALUES (\(hash), \(federation)) ON CONFLICT DO NOTHING", logger: logger)
        }
        return try Response.json(["sha256": hash, "bytes": String(size)], status: .created)
    }

    /// Downloads with `ETag` (the hash), `If-None-Match`, and `Range: bytes=a-b`.
    func download(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let hash = try context.parameters.require("sha256")
        let identity = try context.requireIdentity()
        var federations: [UUID] = []
        if DiskBlobStore.isHash(hash) {
            for try await federation in try await postgres.query(
                "SELECT federation_id FROM blob_federations WHERE sha256 = \(hash)", logger: logger
            ).decode(UUID.self) { federations.append(federation) }
        }
        var allowed = false
        for federation in federations where try await context.policy.allows(identity, "models:download", in: .federation(federation)) {
            allowed = true
            break
        }
        guard allowed, let size = blobs.size(of: hash) else { throw Problem.notFound("model \(hash)") }
        let etag = "\"\(hash)\""
        var headers: HTTPFields = [.eTag: etag, .acceptRanges: "bytes", .contentType: "application/octet-stream", .cacheControl: "private, immutable"]
        if request.headers[.ifNoneMatch] == etag { return Response(status: .notModified, headers: headers) }
        var range = 0..<size
        var status = HTTPResponse.Status.ok
        if let header = request.headers[.range] {
            guard let requested = Self.parseRange(header, size: size) else {
                headers[.contentRange] = "bytes */\(size)"
                return Response(status: .rangeNotSatisfiable, headers: headers)
            }
            range = requested
            status = .partialContent
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(size)"
        }
        headers[.contentLength] = String(range.count)
        let store = blobs
        let span = range
        // Streamed in 1 MiB pieces, so a large model never sits whole in memory.
        return Response(status: status, headers: headers, body: ResponseBody(contentLength: span.count) { writer in
            var offset = span.lowerBound
            while offset < span.upperBound {
                let piece = offset..<min(span.upperBound, offset + (1 << 20))
                try await writer.write(ByteBuffer(data: try store.read(hash, range: piece)))
                offset = piece.upperBound
            }
            try await writer.finish(nil)
        })
    }

    /// `bytes=a-b`, `bytes=a-`, `bytes=-n`; one range only.
    static func parseRange(_ header: String, size: Int) -> Range<Int>? {
        guard header.hasPrefix("bytes="), !header.contains(",") else { return nil }
        let parts = header.dropFirst(6).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        if parts[0].isEmpty {
            guard let suffix = Int(parts[1]), suffix > 0 else { return nil }
            return max(0, size - suffix)..<size
        }
        guard let start = Int(parts[0]), start < size else { return nil }
        let end = parts[1].isEmpty ? size - 1 : min(size - 1, Int(parts[1]) ?? -1)
        guard end >= start else { return nil }
        return start..<(end + 1)
    }

    // MARK: versions

    func register(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let body = try await request.decode(as: NewModelVersion.self, context: context)
        try await context.require("models:register", in: .federation(body.federationId))
        guard DiskBlobStore.isHash(body.sha256), let size = blobs.size(of: body.sha256) else {
            throw Problem.invalidField("sha256", "no model with this hash was uploaded; PUT it to /api/v1/models/blobs/{sha256} first")
        }
        guard (0...100_000).contains(body.round) else { throw Problem.invalidField("round", "must be 0 to 100000", limit: "100000") }
        guard body.metrics.values.allSatisfy(\.isFinite), body.metrics.count <= 64 else { throw Problem.invalidField("metrics", "must be at most 64 finite numbers") }
        let id = UUID()
        let metrics = String(decoding: try JSONEncoder().encode(body.metrics), as: UTF8.self)
        try await postgres.withTransaction(logger: logger) { connection in
            try await connection.query("INSERT INTO blobs (sha256, bytes) VALUES (\(body.sha256), \(size)) ON CONFLICT DO NOTHING", logger: logger)
            try await connection.query(
                "INSERT INTO blob_federations (sha256, federation_id) VALUES (\(body.sha256), \(body.federationId)) ON CONFLICT DO NOTHING", logger: logger)
            try await connection.query(
                """
                INSERT INTO model_versions (id, job_id, federation_id, job_name, round, sha256, strategy, participants, examples, metrics)
                VALUES (\(id), \(body.jobId), \(body.federationId), \(body.jobName), \(body.round), \(body.sha256), \(body.strategy), \(body.participants),
                        \(body.examples), \(metrics)::jsonb)
                ON CONFLICT (job_id, round) DO UPDATE SET metrics = EXCLUDED.metrics
                """, logger: logger)
        }
        guard let version = try await versions(.jobRound(body.jobId, body.round)).first else {
            throw Problem(.internalServerError, detail: "the version was not stored")
        }
        return try Response.json(version.view, status: .created)
    }

    func list(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let federation = try QueryValue.requiredUUID(query["federationId"], "federationId", why: "versions are listed per federation")
        guard try await context.policy.allows(try context.requireIdentity(), "models:read", in: .federation(federation)) else {
            throw Problem.notFound("federation \(federation.uuidString.lowercased())")
        }
        var rows = try await versions(.federation(federation))
        if let job = try QueryValue.uuid(query["jobId"], "jobId") { rows = rows.filter { $0.jobId == job } }
        if let stage = query["stage"] {
            guard let stage = ModelStage(rawValue: String(stage)) else { throw Problem.invalidField("stage", "must be none, staging, production or archived") }
            rows = rows.filter { $0.stage == stage }
        }
        return try Response.json(ModelVersionList(versions: rows.map(\.view)))
    }

    /// The best version of a job (or federation) by a metric, with optional constraints.
    func best(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let job = try QueryValue.uuid(query["jobId"], "jobId")
        let federation = try QueryValue.uuid(query["federationId"], "federationId")
        guard job != nil || federation != nil else { throw Problem.invalidField("jobId", "jobId or federationId is required") }
        let metric = query["metric"].map(String.init) ?? "accuracy"
        let direction = query["direction"].map(String.init) ?? (metric.lowercased().contains("loss") ? "min" : "max")
        guard ["min", "max"].contains(direction) else { throw Problem.invalidField("direction", "must be min or max") }
        let minimumAccuracy = try query["minAccuracy"].map { text -> Double in
            guard let value = Double(text), (0...1).contains(value) else { throw Problem.invalidField("minAccuracy", "must be 0 to 1", limit: "1") }
            return value
        }
        let lastN = try query["lastN"].map { text -> Int in
            guard let value = Int(text), (1...100_000).contains(value) else { throw Problem.invalidField("lastN", "must be 1 to 100000") }
            return value
        }
        var rows = job != nil ? try await versions(.job(job!)) : try await versions(.federation(federation!))
        guard let first = rows.first, try await context.policy.allows(try context.requireIdentity(), "models:read", in: .federation(first.federationId)) else {
            throw Problem.notFound(job.map { "versions of job \($0.uuidString.lowercased())" } ?? "versions in federation \(federation!.uuidString.lowercased())")
        }
        rows.sort { ($0.createdAt, $0.round) < ($1.createdAt, $1.round) }
        if let lastN { rows = Array(rows.suffix(lastN)) }
        if let minimumAccuracy { rows = rows.filter { ($0.metrics["accuracy"] ?? -1) >= minimumAccuracy } }
        let scored = rows.compactMap { row in row.metrics[metric].map { (row, $0) } }
        guard let chosen = direction == "max" ? scored.max(by: { $0.1 < $1.1 }) : scored.min(by: { $0.1 < $1.1 }) else {
            throw Problem.notFound("a version with metric '\(metric)' meeting the constraints")
        }
        let reason = "\(direction == "max" ? "highest" : "lowest") \(metric) (\(chosen.1)) among \(scored.count) version(s)"
            + (lastN.map { " of the last \($0)" } ?? "") + (minimumAccuracy.map { " with accuracy ≥ \($0)" } ?? "")
        return try Response.json(BestModel(version: chosen.0.view, metric: metric, value: chosen.1, reason: reason))
    }

    struct RetentionRequest: Decodable {
        var jobId: UUID
        var keepLast: Int
        var metric: String?
        var direction: String?
    }

    struct RetentionResult: Encodable {
        var kept: [Int]
        var removed: [Int]
        var freedBytes: Int
    }

    /// Keeps a job's best version (by `metric`, default accuracy), its last `keepLast` versions and
    /// every staged one; removes the other versions and the files no remaining version uses.
    func retain(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let body = try await request.decode(as: RetentionRequest.self, context: context)
        guard (1...10_000).contains(body.keepLast) else { throw Problem.invalidField("keepLast", "must be 1 to 10000", limit: "10000") }
        let metric = body.metric ?? "accuracy"
        let direction = body.direction ?? (metric.lowercased().contains("loss") ? "min" : "max")
        guard ["min", "max"].contains(direction) else { throw Problem.invalidField("direction", "must be min or max") }
        let rows = try await versions(.job(body.jobId))
        guard let first = rows.first, try await context.policy.allows(try context.requireIdentity(), "models:read", in: .federation(first.federationId)) else {
            throw Problem.notFound("versions of job \(body.jobId.uuidString.lowercased())")
        }
        try await context.require("models:stage", in: .federation(first.federationId))
        let byRound = rows.sorted { $0.round < $1.round }
        var keep = Set(byRound.suffix(body.keepLast).map(\.id))
        keep.formUnion(rows.filter { $0.stage != .none }.map(\.id))
        let scored = rows.compactMap { row in row.metrics[metric].map { (row, $0) } }
        if let best = direction == "max" ? scored.max(by: { $0.1 < $1.1 }) : scored.min(by: { $0.1 < $1.1 }) { keep.insert(best.0.id) }
        let removed = rows.filter { !keep.contains($0.id) }
        var freed = 0
        for version in removed {
            var orphan = false
            try await postgres.withTransaction(logger: logger) { connection in
                try await connection.query("DELETE FROM model_versions WHERE id = \(version.id)", logger: logger)
                for try await _ in try await connection.query(
                    "SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM model_versions WHERE sha256 = \(version.sha256))", logger: logger) { orphan = true }
                if orphan {
                    try await connection.query("DELETE FROM blob_federations WHERE sha256 = \(version.sha256)", logger: logger)
                    try await connection.query("DELETE FROM blobs WHERE sha256 = \(version.sha256)", logger: logger)
                }
            }
            if orphan {
                try? FileManager.default.removeItem(at: blobs.path(version.sha256))
                freed += version.bytes
            }
        }
        return try Response.json(RetentionResult(kept: rows.filter { keep.contains($0.id) }.map(\.round).sorted(), removed: removed.map(\.round).sorted(),
                                                 freedBytes: freed))
    }

    struct StageChange: Decodable { var stage: ModelStage; var approvalId: UUID? }

    /// Staging, archive and back need `models:stage`; production needs `models:promote` and an
    /// approved governance approval (action `models.promote`, payload `versionId`), which this
    /// consumes so it cannot be used twice.
    func stage(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let version = try await visibleVersion(context)
        let change = try await request.decode(as: StageChange.self, context: context)
        if change.stage == .production {
            try await context.require("models:promote", in: .federation(version.federationId))
            guard let approval = change.approvalId else {
                throw Problem(.conflict, detail: "promotion to production needs a second person's approval: POST /api/v1/approvals with action models.promote, permission models:promote, scope federation \(version.federationId.uuidString.lowercased()) and payload {\"versionId\": \"\(version.id.uuidString.lowercased())\"}; then pass its approvalId here")
            }
            try await consumeApproval(approval, version: version, context: context)
        } else {
            try await context.require("models:stage", in: .federation(version.federationId))
            if version.stage == .production, change.stage != .archived {
                throw Problem.conflict("a production version can only be archived")
            }
        }
        try await postgres.query("UPDATE model_versions SET stage = \(change.stage.rawValue) WHERE id = \(version.id)", logger: logger)
        return try Response.json(try await versions(.id(version.id)).first!.view)
    }

    private func consumeApproval(_ id: UUID, version: VersionRow, context: CumulusRequestContext) async throws {
        guard let governanceURL, let token = context.identity?.token else { throw Problem(.serviceUnavailable, detail: "governance is not configured") }
        let approval: Approval
        do {
            approval = try await internalClient.json(try InternalClient.jsonRequest(.GET, Self.url(governanceURL, "api/v1/approvals/\(id.uuidString.lowercased())"), bearer: token),
                                                     as: Approval.self, requestID: nil, limit: 1 << 20)
        } catch is InternalCallError {
            throw Problem.notFound("approval \(id.uuidString.lowercased())")
        }
        guard approval.action == "models.promote", approval.payload["versionId"]?.lowercased() == version.id.uuidString.lowercased() else {
            throw Problem.invalidField("approvalId", "approval \(id.uuidString.lowercased()) is not for promoting version \(version.id.uuidString.lowercased())")
        }
        guard approval.status == "approved" else { throw Problem.conflict("approval \(id.uuidString.lowercased()) is \(approval.status), not approved") }
        let consume = try InternalClient.jsonRequest(.POST, Self.url(governanceURL, "api/v1/approvals/\(id.uuidString.lowercased())/consume"), bearer: token)
        let consumed = try await internalClient.execute(consume, requestID: nil)
        _ = try await consumed.body.collect(upTo: 1 << 20)
        guard consumed.status == .ok else { throw Problem.conflict("approval \(id.uuidString.lowercased()) could not be used (it answered \(consumed.status.code))") }
    }

    static func url(_ base: URL, _ path: String) -> String { base.appending(path: path).absoluteString }

    // MARK: rows

    struct VersionRow: Decodable {
        var id: UUID
        var jobId: UUID
        var federationId: UUID
        var jobName: String
        var round: Int
        var sha256: String
        var bytes: Int
        var strategy: String
        var participants: Int
        var examples: Int
        var metrics: [String: Double]
        var stage: ModelStage
        var createdAt: Double

        var view: ModelVersion {
            ModelVersion(id: id, jobId: jobId, federationId: federationId, jobName: jobName, round: round, sha256: sha256, bytes: bytes,
                         strategy: strategy, participants: participants, examples: examples, metrics: metrics, stage: stage,
                         createdAt: Date(timeIntervalSince1970: createdAt))
        }
    }

    enum VersionFilter { case id(UUID), job(UUID), federation(UUID), jobRound(UUID, Int) }

    private func versions(_ filter: VersionFilter) async throws -> [VersionRow] {
        let select = """
            SELECT json_build_object('id', v.id, 'jobId', v.job_id, 'federationId', v.federation_id, 'jobName', v.job_name, 'round', v.round,
                'sha256', v.sha256, 'bytes', b.bytes, 'strategy', v.strategy, 'participants', v.participants, 'examples', v.examples,
                'metrics', v.metrics, 'stage', v.stage, 'createdAt', extract(epoch FROM v.created_at))::text
            FROM model_versions v JOIN blobs b ON b.sha256 = v.sha256
            """
        let query: PostgresQuery = switch filter {
        case .id(let id): "\(unescaped: select) WHERE v.id = \(id)"
        case .job(let job): "\(unescaped: select) WHERE v.job_id = \(job) ORDER BY v.round"
        case .federation(let federation): "\(unescaped: select) WHERE v.federation_id = \(federation) ORDER BY v.created_at, v.round LIMIT 10000"
        case .jobRound(let job, let round): "\(unescaped: select) WHERE v.job_id = \(job) AND v.round = \(round)"
        }
        var rows: [VersionRow] = []
        for try await text in try await postgres.query(query, logger: logger).decode(String.self) {
            rows.append(try JSONDecoder().decode(VersionRow.self, from: Data(text.utf8)))
        }
        return rows
    }

    private func visibleVersion(_ context: CumulusRequestContext) async throws -> VersionRow {
        let id = try context.parameters.require("id", as: UUID.self)
        guard let row = try await versions(.id(id)).first,
              try await context.policy.allows(try context.requireIdentity(), "models:read", in: .federation(row.federationId))
        else { throw Problem.notFound("model version \(id.uuidString.lowercased())") }
        return row
    }
}
