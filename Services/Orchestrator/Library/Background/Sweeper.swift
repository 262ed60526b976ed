import CumulusAPI
import CumulusKit
import Foundation
import Logging
import PostgresNIO
import Prometheus
import ServiceLifecycle

/// The orchestrator's clock-driven work, run by every replica: nodes that fell silent become
/// inactive, due and retried tasks are dispatched, lapsed leases and deadlines are enforced,
/// node-hours are metered onto the usage stream, and old telemetry is downsampled. Each step is
/// a conditional update or takes row locks with SKIP LOCKED, so replicas never double an effect.
struct Sweeper: Service {
    let engine: TaskEngine
    let metrics: PrometheusCollectorRegistry
    var postgres: PostgresClient { engine.postgres }
    var settings: OrchestratorSettings { engine.settings }
    var logger: Logger { engine.logger }

    static let usageStream = "cumulus.usage"
    static var nodesGauge: MetricNameDescriptor { MetricNameDescriptor(namespace: "cumulus", metricName: "nodes", unitName: "", helpText: "Nodes by status.") }
    static var cpuGauge: MetricNameDescriptor { MetricNameDescriptor(namespace: "cumulus", metricName: "node_cpu", unitName: "percent", helpText: "A node's CPU use, last heartbeat.") }
    static var memoryGauge: MetricNameDescriptor { MetricNameDescriptor(namespace: "cumulus", metricName: "node_memory", unitName: "percent", helpText: "A node's memory use, last heartbeat.") }
    static var gpuGauge: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "cumulus", metricName: "node_gpu", unitName: "percent", helpText: "A node's mean GPU use, last heartbeat (nodes with GPUs only).")
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var lastMetering = ContinuousClock.now
            var lastDownsampling = ContinuousClock.now
            while !Task.isCancelled {
                do {
                    try await sweepOnce()
                    if ContinuousClock.now - lastMetering >= .seconds(5) {
                        lastMetering = .now
                        try await meter()
                        try await publishUsage()
                        try await updateGauges()
                    }
                    if ContinuousClock.now - lastDownsampling >= .seconds(300) {
                        lastDownsampling = .now
                        try await downsampleTelemetry()
                    }
                } catch is CancellationError {
                    break
                } catch {
                    logger.error("orchestrator sweep failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: settings.sweepInterval)
            }
        }
    }

    /// Health, leases, deadlines and dispatch of due tasks.
    func sweepOnce() async throws {
        try await markSilentNodesInactive()
        _ = try await engine.expireLeasesAndDeadlines()
        for id in try await engine.dueTasks() { try await engine.dispatch(id) }
    }

    func markSilentNodesInactive() async throws {
        var silenced: [(UUID, Double)] = []
        for try await row in try await postgres.query(
            """
            UPDATE nodes SET status = 'inactive'
            WHERE id IN (
                -- Locked in id order, as heartbeat batches lock them, so the two cannot deadlock.
                SELECT id FROM nodes
                WHERE status = 'active' AND coalesce(last_heartbeat_at, registered_at) < now() - make_interval(secs => \(settings.heartbeatTimeout.seconds))
                ORDER BY id FOR UPDATE)
            RETURNING id, extract(epoch FROM now() - coalesce(last_heartbeat_at, registered_at))::float8
            """, logger: logger
        ).decode((UUID, Double).self) { silenced.append(row) }
        for (node, silence) in silenced {
            let detail = "no heartbeat for \(Int(silence)) s (timeout \(Int(settings.heartbeatTimeout.seconds)) s)"
            try await engine.nodes.event(node, kind: "inactive", detail: detail)
            logger.notice("node inactive", metadata: ["node": "\(node)", "detail": .string(detail)])
            _ = try? await engine.redis.xadd(NodeStore.eventsStream, fields: ["node": node.uuidString.lowercased(), "kind": "inactive", "detail": detail],
                                             maxLength: 10_000)
        }
    }

    /// Node-hours from `metered_until` to the last heartbeat, in intervals of at least the
    /// metering interval, written to an outbox in the same statement that advances the mark, so
    /// an interval is neither lost nor counted twice (the costs service dedups by event id).
    func meter() async throws {
        try await postgres.query(
            """
            WITH due AS (
                SELECT id, metered_until AS since, last_heartbeat_at AS until FROM nodes
                WHERE last_heartbeat_at > metered_until + make_interval(secs => \(settings.meteringInterval.seconds))
                FOR UPDATE SKIP LOCKED),
            advanced AS (
                UPDATE nodes n SET metered_until = due.until FROM due WHERE n.id = due.id
                RETURNING n.id, n.organisation_id, n.federation_id, n.provider, n.region, n.instance_type, n.vcpus, n.memory_bytes, due.since, due.until)
            INSERT INTO usage_outbox (id, fields)
            SELECT gen_random_uuid(), json_build_object(
                'kind', 'node-hours', 'node', id, 'organisation', organisation_id, 'federation', federation_id,
                'provider', coalesce(provider, 'unknown'), 'region', coalesce(region, 'unknown'), 'instanceType', coalesce(instance_type, ''),
                'vcpus', vcpus, 'memoryBytes', memory_bytes,
                'start', to_char(since AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                'end', to_char(until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                'hours', extract(epoch FROM until - since) / 3600.0)
            FROM advanced
            """, logger: logger)
    }

    /// Publishes the outbox to the usage stream, then forgets what was published. A crash in
    /// between publishes again; consumers dedup by `eventId`.
    func publishUsage() async throws {
        var rows: [(UUID, String)] = []
        for try await row in try await postgres.query(
            "SELECT id, fields::text FROM usage_outbox ORDER BY created_at LIMIT 500", logger: logger
        ).decode((UUID, String).self) { rows.append(row) }
        for (id, text) in rows {
            guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { continue }
            var fields = object.mapValues { "\($0)" }
            fields["eventId"] = id.uuidString.lowercased()
            fields["source"] = "orchestrator"
            _ = try await engine.redis.xadd(Self.usageStream, fields: fields)
            try await postgres.query("DELETE FROM usage_outbox WHERE id = \(id)", logger: logger)
        }
    }

    /// Raw samples older than the retention become one-minute means; old means are dropped.
    func downsampleTelemetry() async throws {
        try await postgres.query(
            """
            WITH old AS (
                DELETE FROM node_telemetry WHERE resolution = 'raw' AND at < now() - make_interval(secs => \(settings.rawTelemetryRetention.seconds))
                RETURNING *)
            INSERT INTO node_telemetry (node_id, at, resolution, cpu_percent, memory_percent, disk_free_bytes, load1, gpu_percent)
            SELECT node_id, date_trunc('minute', at), 'minute', avg(cpu_percent), avg(memory_percent), min(disk_free_bytes), avg(load1), avg(gpu_percent)
            FROM old GROUP BY node_id, date_trunc('minute', at)
            ON CONFLICT (node_id, resolution, at) DO NOTHING
            """, logger: logger)
        try await postgres.query(
            "DELETE FROM node_telemetry WHERE resolution = 'minute' AND at < now() - make_interval(secs => \(settings.minuteTelemetryRetention.seconds))",
            logger: logger)
    }

    /// Node counts by status and each node's CPU, memory and GPU, for the nodes dashboard.
    func updateGauges() async throws {
        var counts: [String: Int64] = Dictionary(uniqueKeysWithValues: NodeStatus.allCases.map { ($0.rawValue, Int64(0)) })
        for try await (status, count) in try await postgres.query("SELECT status, count(*) FROM nodes GROUP BY status", logger: logger).decode((String, Int64).self) {
            counts[status] = count
        }
        for (status, count) in counts {
            metrics.makeGauge(descriptor: Self.nodesGauge, labels: [("status", status)]).set(count)
        }
        for try await (id, hostname, cpu, memory, gpu) in try await postgres.query(
            """
            SELECT id, hostname, (telemetry->>'cpuPercent')::float8,
                   (telemetry->>'memoryUsedBytes')::float8 / nullif((telemetry->>'memoryTotalBytes')::float8, 0) * 100,
                   (SELECT avg((g->>'utilisationPercent')::float8) FROM jsonb_array_elements(coalesce(telemetry->'gpus', '[]')) g)
            FROM nodes WHERE status <> 'inactive' AND telemetry IS NOT NULL LIMIT 2000
            """, logger: logger
        ).decode((UUID, String, Double?, Double?, Double?).self) {
            let labels = [("node", id.uuidString.lowercased()), ("hostname", hostname)]
            metrics.makeGauge(descriptor: Self.cpuGauge, labels: labels).set(cpu ?? 0)
            metrics.makeGauge(descriptor: Self.memoryGauge, labels: labels).set(memory ?? 0)
            if let gpu { metrics.makeGauge(descriptor: Self.gpuGauge, labels: labels).set(gpu) }
        }
    }
}
