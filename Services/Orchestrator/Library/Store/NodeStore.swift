import AssignmentCore
import CumulusAPI
import CumulusKit
import Foundation
import Logging
import PostgresNIO

/// Nodes, their telemetry and their events in PostgreSQL.
struct NodeStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    static let eventsStream = "cumulus.nodes.events"

    /// Creates or refreshes the node behind a node token. Its organisation and federation come
    /// from governance (the token and the permission check), never from the body.
    func register(id: UUID, organisation: UUID, federation: UUID, _ body: NodeRegistration) async throws -> NodeView {
        let gpus = try Self.json(body.specs.gpus)
        let labels = try Self.json(body.labels)
        var text: String?
        for try await row in try await postgres.query(
            """
            INSERT INTO nodes (id, organisation_id, federation_id, hostname, provider, region, zone, instance_type, vcpus, memory_bytes, disk_bytes,
                               gpus, labels, signing_public_key, agreement_public_key, agent_version, metered_until)
            VALUES (\(id), \(organisation), \(federation), \(body.hostname), \(body.location.provider), \(body.location.region), \(body.location.zone),
                    \(body.location.instanceType), \(body.specs.vcpus), \(body.specs.memoryBytes), \(body.specs.diskBytes), \(gpus)::jsonb, \(labels)::jsonb,
                    \(body.signingPublicKey), \(body.agreementPublicKey), \(body.agentVersion), now())
            ON CONFLICT (id) DO UPDATE SET hostname = EXCLUDED.hostname, provider = EXCLUDED.provider, region = EXCLUDED.region,
                zone = EXCLUDED.zone, instance_type = EXCLUDED.instance_type, vcpus = EXCLUDED.vcpus, memory_bytes = EXCLUDED.memory_bytes,
                disk_bytes = EXCLUDED.disk_bytes, gpus = EXCLUDED.gpus, labels = EXCLUDED.labels, agent_version = EXCLUDED.agent_version
            -- A node's keys are fixed at its first registration: updates are verified with them.
            WHERE nodes.signing_public_key = EXCLUDED.signing_public_key AND nodes.agreement_public_key = EXCLUDED.agreement_public_key
            RETURNING \(unescaped: NodeRow.selectJSON)
            """, logger: logger
        ).decode(String.self) { text = row }
        guard let text else { throw Problem.conflict("this node registered with other keys; a node's keys cannot change — enrol the machine again") }
        try await event(id, kind: "registered", detail: "agent \(body.agentVersion) on \(body.hostname)")
        return try NodeRow.decode(text).view
    }

    /// The hot path: one statement stores the latest telemetry, reactivates an inactive node and
    /// appends a raw history sample. Returns the status before and after, or nil for an unknown node.
    func heartbeat(id: UUID, _ body: Heartbeat) async throws -> (before: NodeStatus, after: NodeStatus)? {
        let telemetry = try Self.json(body.telemetry)
        let datasets = try Self.json(body.datasets)
        let t = body.telemetry
        let gpuPercent: Double? = t.gpus.isEmpty ? nil : t.gpus.map(\.utilisationPercent).reduce(0, +) / Double(t.gpus.count)
        var result: (before: NodeStatus, after: NodeStatus)?
        for try await (before, after) in try await postgres.query(
            """
            WITH previous AS (SELECT status FROM nodes WHERE id = \(id)),
            updated AS (
                UPDATE nodes SET last_heartbeat_at = now(), telemetry = \(telemetry)::jsonb, datasets = \(datasets)::jsonb,
                    status = CASE WHEN status = 'inactive' THEN 'active' ELSE status END,
                    metered_until = CASE WHEN status = 'inactive' THEN now() ELSE metered_until END
                WHERE id = \(id) RETURNING status),
            sample AS (
                INSERT INTO node_telemetry (node_id, at, resolution, cpu_percent, memory_percent, disk_free_bytes, load1, gpu_percent)
                SELECT \(id), clock_timestamp(), 'raw', \(t.cpuPercent), \(t.memoryPercent), \(t.diskFreeBytes), \(t.load.first ?? 0), \(gpuPercent)
                FROM updated ON CONFLICT DO NOTHING)
            SELECT previous.status, updated.status FROM previous, updated
            """, logger: logger
        ).decode((String, String).self) {
            result = (NodeStatus(rawValue: before) ?? .active, NodeStatus(rawValue: after) ?? .active)
        }
        if let result, result.before == .inactive, result.after == .active {
            try await event(id, kind: "recovered", detail: "heartbeats resumed")
        }
        return result
    }

    func node(_ id: UUID) async throws -> NodeRow? {
        for try await text in try await postgres.query("SELECT \(unescaped: NodeRow.selectJSON) FROM nodes WHERE id = \(id)", logger: logger).decode(String.self) {
            return try NodeRow.decode(text)
        }
        return nil
    }

    struct Filter: Sendable {
        var organisation: UUID?
        var federation: UUID?
        var status: NodeStatus?
        var region: String?
    }

    func list(_ filter: Filter, limit: Int = 1000) async throws -> [NodeRow] {
        var rows: [NodeRow] = []
        for try await text in try await postgres.query(
            """
            SELECT \(unescaped: NodeRow.selectJSON) FROM nodes
            WHERE (\(filter.organisation)::uuid IS NULL OR organisation_id = \(filter.organisation))
              AND (\(filter.federation)::uuid IS NULL OR federation_id = \(filter.federation))
              AND (\(filter.status?.rawValue)::text IS NULL OR status = \(filter.status?.rawValue))
              AND (\(filter.region)::text IS NULL OR region = \(filter.region))
            ORDER BY hostname, id LIMIT \(limit)
            """, logger: logger
        ).decode(String.self) { rows.append(try NodeRow.decode(text)) }
        return rows
    }

    /// A participant's nodes, as assignment sees them.
    func participantNodes(federation: UUID, organisation: UUID, on connection: PostgresConnection) async throws -> [NodeRow] {
        var rows: [NodeRow] = []
        for try await text in try await connection.query(
            "SELECT \(unescaped: NodeRow.selectJSON) FROM nodes WHERE federation_id = \(federation) AND organisation_id = \(organisation)", logger: logger
        ).decode(String.self) { rows.append(try NodeRow.decode(text)) }
        return rows
    }

    func history(_ id: UUID, limit: Int = 500) async throws -> [TelemetryPoint] {
        var points: [TelemetryPoint] = []
        for try await (at, resolution, cpu, memory, disk, load, gpu) in try await postgres.query(
            """
            SELECT at, resolution, cpu_percent, memory_percent, disk_free_bytes, load1, gpu_percent FROM node_telemetry
            WHERE node_id = \(id) ORDER BY at DESC LIMIT \(limit)
            """, logger: logger
        ).decode((Date, String, Double, Double, Int64, Double, Double?).self) {
            points.append(TelemetryPoint(at: at, resolution: resolution, cpuPercent: cpu, memoryPercent: memory, diskFreeBytes: disk, load1: load, gpuPercent: gpu))
        }
        return points.reversed()
    }

    func events(_ id: UUID, limit: Int = 100) async throws -> [NodeEvent] {
        var events: [NodeEvent] = []
        for try await (at, kind, detail) in try await postgres.query(
            "SELECT at, kind, detail FROM node_events WHERE node_id = \(id) ORDER BY id DESC LIMIT \(limit)", logger: logger
        ).decode((Date, String, String).self) { events.append(NodeEvent(at: at, kind: kind, detail: detail)) }
        return events
    }

    /// Drain (takes nothing new) or undrain (back to active, failures forgotten). Returns false
    /// when the node is not in a state the change applies to.
    func setDrained(_ id: UUID, _ drained: Bool, by actor: String) async throws -> Bool {
        var changed = false
        let query: PostgresQuery = drained
            ? "UPDATE nodes SET status = 'draining' WHERE id = \(id) AND status IN ('active', 'inactive', 'failed') RETURNING 1"
            : "UPDATE nodes SET status = 'active', consecutive_failures = 0 WHERE id = \(id) AND status IN ('draining', 'failed') RETURNING 1"
        for try await _ in try await postgres.query(query, logger: logger) { changed = true }
        if changed { try await event(id, kind: drained ? "drained" : "undrained", detail: "by \(actor)") }
        return changed
    }

    func event(_ id: UUID, kind: String, detail: String) async throws {
        try await postgres.query("INSERT INTO node_events (node_id, kind, detail) VALUES (\(id), \(kind), \(detail))", logger: logger)
    }

    static func json(_ value: some Encodable) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }
}
