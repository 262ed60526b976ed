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

    /// A heartbeat's effect on its node: the status before and after.
    typealias HeartbeatOutcome = (before: NodeStatus, after: NodeStatus)

    /// The hot path, for many heartbeats at once (see `HeartbeatWriter`): one statement stores each
    /// node's latest telemetry, reactivates inactive nodes and appends a raw history sample for
    /// every heartbeat. Nodes are locked in id order, so concurrent batches (other replicas) cannot
    /// deadlock. Answers the outcome per node; an unknown node has none.
    func heartbeats(_ batch: [(id: UUID, body: Heartbeat)]) async throws -> [UUID: HeartbeatOutcome] {
        let statement = HeartbeatBatch(batch: batch)
        var outcomes: [UUID: HeartbeatOutcome] = [:]
        for try await (id, before, after) in try await postgres.execute(statement, logger: logger) {
            outcomes[id] = (NodeStatus(rawValue: before) ?? .active, NodeStatus(rawValue: after) ?? .active)
        }
        for (id, outcome) in outcomes where outcome.before == .inactive && outcome.after == .active {
            try await event(id, kind: "recovered", detail: "heartbeats resumed")
        }
        return outcomes
    }

    /// The batch statement, prepared once per connection: parsing and planning it for every
    /// batch cost PostgreSQL about 1 ms, as much as running it for ten heartbeats.
    struct HeartbeatBatch: PostgresPreparedStatement {
        static let sql = """
            WITH input AS (
                SELECT * FROM unnest($1::uuid[], $2::int8[], $3::text[], $4::text[], $5::float8[], $6::float8[], $7::int8[], $8::float8[], $9::float8[])
                    AS t(id, ordinal, telemetry, datasets, cpu, memory, disk_free, load1, gpu)),
            latest AS (SELECT DISTINCT ON (id) id, telemetry, datasets FROM input ORDER BY id, ordinal DESC),
            previous AS (SELECT nodes.id, nodes.status FROM nodes JOIN latest USING (id) ORDER BY nodes.id FOR UPDATE OF nodes),
            updated AS (
                UPDATE nodes SET last_heartbeat_at = now(), telemetry = latest.telemetry::jsonb, datasets = latest.datasets::jsonb,
                    status = CASE WHEN nodes.status = 'inactive' THEN 'active' ELSE nodes.status END,
                    metered_until = CASE WHEN nodes.status = 'inactive' THEN now() ELSE nodes.metered_until END
                FROM latest JOIN previous USING (id) WHERE nodes.id = latest.id RETURNING nodes.id, nodes.status),
            sample AS (
                -- The ordinal keeps two samples of one node in one batch from sharing a timestamp.
                INSERT INTO node_telemetry (node_id, at, resolution, cpu_percent, memory_percent, disk_free_bytes, load1, gpu_percent)
                SELECT input.id, clock_timestamp() + input.ordinal * interval '1 microsecond', 'raw', input.cpu, input.memory,
                       input.disk_free, input.load1, NULLIF(input.gpu, 'NaN')
                FROM input JOIN updated USING (id) ON CONFLICT DO NOTHING)
            SELECT previous.id, previous.status, updated.status FROM previous JOIN updated USING (id)
            """
        typealias Row = (UUID, String, String)

        let batch: [(id: UUID, body: Heartbeat)]

        /// One array per column of `input`, in the order of the parameters.
        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 9)
            bindings.append(batch.map(\.id))
            bindings.append(batch.indices.map(Int64.init))
            bindings.append(try batch.map { try NodeStore.json($0.body.telemetry) })
            bindings.append(try batch.map { try NodeStore.json($0.body.datasets) })
            bindings.append(batch.map(\.body.telemetry.cpuPercent))
            bindings.append(batch.map(\.body.telemetry.memoryPercent))
            bindings.append(batch.map(\.body.telemetry.diskFreeBytes))
            bindings.append(batch.map { $0.body.telemetry.load.first ?? 0 })
            // No GPU is NaN in the array (PostgreSQL arrays of optionals do not bind), NULL in the table.
            bindings.append(batch.map { entry -> Double in
                let gpus = entry.body.telemetry.gpus
                return gpus.isEmpty ? .nan : gpus.map(\.utilisationPercent).reduce(0, +) / Double(gpus.count)
            })
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
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
