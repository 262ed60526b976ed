import CumulusAPI
import CumulusKit
import Foundation
import Logging
import PostgresNIO

/// Deployments, their aggregators and the usage outbox in PostgreSQL.
///
/// Usage: every change that starts or ends billable time writes its aggregator-hours events to
/// `usage_outbox` in the same transaction as the status change, so an interval is neither lost
/// nor counted twice; ``UsageMeter`` then puts the outbox on the `cumulus.usage` stream (the
/// outbox row id is the event's `eventId`, by which the costs service deduplicates).
struct DeploymentStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    func create(_ plan: DeploymentPlan, provisioner: ProvisionerKind, status: DeploymentStatus, monthlyCostUSD: Double, roundSeconds: Double,
                createdBy: String) async throws {
        try await postgres.withTransaction(logger: logger) { connection in
            try await connection.query(
                """
                INSERT INTO deployments (id, federation_id, placement_id, front_index, provisioner, status, monthly_cost_usd, round_seconds, created_by)
                VALUES (\(plan.id), \(plan.federationId), \(plan.placementId), \(plan.frontIndex), \(provisioner.rawValue), \(status.rawValue),
                        \(monthlyCostUSD), \(roundSeconds), \(createdBy))
                """, logger: logger)
            for (position, aggregator) in plan.aggregators.enumerated() {
                let site = aggregator.site
                try await connection.query(
                    """
                    INSERT INTO deployment_aggregators (id, deployment_id, position, role, slot, provider, region, instance_type, vcpus, memory_gb, hourly_usd)
                    VALUES (\(aggregator.id), \(plan.id), \(position), \(aggregator.role), \(aggregator.slot), \(site.provider), \(site.region),
                            \(site.instanceType), \(site.vCPU), \(site.memoryGB), \(site.hourlyUSD))
                    """, logger: logger)
            }
        }
    }

    func setTerraformDirectory(_ id: UUID, _ directory: String?) async throws {
        try await postgres.query("UPDATE deployments SET terraform_directory = \(directory) WHERE id = \(id)", logger: logger)
    }

    func deployment(_ id: UUID) async throws -> DeploymentRow? {
        for try await text in try await postgres.query("SELECT \(unescaped: DeploymentRow.selectJSON) FROM deployments d WHERE d.id = \(id)",
                                                       logger: logger).decode(String.self) {
            return try DeploymentRow.decode(text)
        }
        return nil
    }

    func list(federation: UUID, status: DeploymentStatus?, limit: Int) async throws -> [DeploymentRow] {
        var rows: [DeploymentRow] = []
        for try await text in try await postgres.query(
            """
            SELECT \(unescaped: DeploymentRow.selectJSON) FROM deployments d
            WHERE d.federation_id = \(federation) AND (\(status?.rawValue)::text IS NULL OR d.status = \(status?.rawValue))
            ORDER BY d.created_at DESC, d.id LIMIT \(limit)
            """, logger: logger
        ).decode(String.self) { rows.append(try DeploymentRow.decode(text)) }
        return rows
    }

    /// Deployments of one provisioner in one status (the embedded ones to resume after a restart).
    func all(provisioner: ProvisionerKind, status: DeploymentStatus) async throws -> [DeploymentRow] {
        var rows: [DeploymentRow] = []
        for try await text in try await postgres.query(
            "SELECT \(unescaped: DeploymentRow.selectJSON) FROM deployments d WHERE d.provisioner = \(provisioner.rawValue) AND d.status = \(status.rawValue)",
            logger: logger
        ).decode(String.self) { rows.append(try DeploymentRow.decode(text)) }
        return rows
    }

    /// Moves the deployment from one of `from` to `to`; false when it was in no such status
    /// (someone else is starting or stopping it, or it already is where the caller wants it).
    func transition(_ id: UUID, from: [DeploymentStatus], to: DeploymentStatus) async throws -> Bool {
        var changed = false
        for try await _ in try await postgres.query(
            "UPDATE deployments SET status = \(to.rawValue) WHERE id = \(id) AND status = ANY(\(from.map(\.rawValue))) RETURNING 1", logger: logger
        ) { changed = true }
        return changed
    }

    func fail(_ id: UUID, status: DeploymentStatus, error: String) async throws {
        try await postgres.query("UPDATE deployments SET status = \(status.rawValue), last_error = \(error) WHERE id = \(id)", logger: logger)
    }

    /// Running from now: endpoints recorded, metering starts, one `start` event per aggregator.
    func markRunning(_ id: UUID, endpoints: [UUID: String]) async throws {
        try await postgres.withTransaction(logger: logger) { connection in
            for (aggregator, endpoint) in endpoints {
                try await connection.query(
                    "UPDATE deployment_aggregators SET endpoint = \(endpoint), metered_until = now() WHERE id = \(aggregator) AND deployment_id = \(id)",
                    logger: logger)
            }
            try await connection.query(
                "UPDATE deployments SET status = 'running', started_at = now(), stopped_at = NULL, last_error = NULL WHERE id = \(id)", logger: logger)
            try await connection.query(Self.outboxInsert(phase: "start", endUntil: "now()", filter: "d.id = '\(id.uuidString.lowercased())'"), logger: logger)
        }
    }

    /// A running deployment's endpoints moved (the embedded ones, after a restart).
    func updateEndpoints(_ id: UUID, endpoints: [UUID: String]) async throws {
        for (aggregator, endpoint) in endpoints {
            try await postgres.query("UPDATE deployment_aggregators SET endpoint = \(endpoint) WHERE id = \(aggregator) AND deployment_id = \(id)", logger: logger)
        }
    }

    /// Stopped now: the last interval of each aggregator goes to the outbox as a `stop` event.
    func markStopped(_ id: UUID) async throws {
        try await postgres.withTransaction(logger: logger) { connection in
            try await connection.query(Self.outboxInsert(phase: "stop", endUntil: "now()", filter: "d.id = '\(id.uuidString.lowercased())'"), logger: logger)
            try await connection.query("UPDATE deployment_aggregators SET endpoint = NULL, metered_until = NULL WHERE deployment_id = \(id)", logger: logger)
            try await connection.query("UPDATE deployments SET status = 'stopped', stopped_at = now(), last_error = NULL WHERE id = \(id)", logger: logger)
        }
    }

    /// Aggregator-hours of running deployments metered up to now, for every aggregator whose
    /// unmetered time has reached `interval`; the mark advances in the same transaction.
    func meter(interval: Duration) async throws {
        let seconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
        try await postgres.withTransaction(logger: logger) { connection in
            try await connection.query(
                Self.outboxInsert(phase: "interval", endUntil: "now()",
                                  filter: "d.status = 'running' AND a.metered_until IS NOT NULL AND a.metered_until <= now() - make_interval(secs => \(seconds))"),
                logger: logger)
            try await connection.query(
                """
                UPDATE deployment_aggregators a SET metered_until = now() FROM deployments d
                WHERE a.deployment_id = d.id AND d.status = 'running' AND a.metered_until IS NOT NULL
                  AND a.metered_until <= now() - make_interval(secs => \(seconds))
                """, logger: logger)
        }
    }

    /// The fields are CumulusAPI's `UsageStream` contract for `aggregator-hours` (kind, source,
    /// federation, deployment, provider, region, instanceType, vcpus, memoryBytes, start, end in
    /// UTC with milliseconds, hours), plus `aggregator`, `role`, `provisioner` and `phase`.
    ///
    /// One outbox row per aggregator matching `filter` (SQL over `d` deployments, `a` aggregators;
    /// built only from literals and lower-case UUIDs): the interval from its mark to `endUntil`.
    static func outboxInsert(phase: String, endUntil: String, filter: String) -> PostgresQuery {
        let query = """
            INSERT INTO usage_outbox (id, fields)
            SELECT gen_random_uuid(), json_build_object(
                'kind', 'aggregator-hours', 'source', 'placement', 'phase', '\(phase)',
                'federation', d.federation_id, 'deployment', d.id, 'aggregator', a.id, 'role', a.role, 'provisioner', d.provisioner,
                'provider', a.provider, 'region', a.region, 'instanceType', a.instance_type,
                'vcpus', a.vcpus, 'memoryBytes', round(a.memory_gb * 1073741824)::bigint,
                'start', to_char(coalesce(a.metered_until, \(endUntil)) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                'end', to_char(\(endUntil) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                'hours', extract(epoch FROM \(endUntil) - coalesce(a.metered_until, \(endUntil))) / 3600.0)
            FROM deployments d JOIN deployment_aggregators a ON a.deployment_id = d.id
            WHERE \(filter)
            """
        return PostgresQuery(unsafeSQL: query)
    }

    /// Hands the oldest outbox rows to `publish`, in order, and deletes each once published, in
    /// one transaction holding the rows' locks: a concurrent flush (this process or another
    /// replica) waits, then finds them gone, so no row goes out twice and the order holds. A
    /// failure mid-way leaves the unpublished rows for the next flush (and, after a crash
    /// between publishing and committing, publishes some again with the same eventId, which
    /// consumers dedup). Returns how many rows it took.
    func publishUsage(limit: Int = 500, _ publish: (UUID, String) async throws -> Void) async throws -> Int {
        try await postgres.withTransaction(logger: logger) { connection in
            var rows: [(UUID, String)] = []
            for try await row in try await connection.query(
                "SELECT id, fields::text FROM usage_outbox ORDER BY created_at, id LIMIT \(limit) FOR UPDATE", logger: logger
            ).decode((UUID, String).self) { rows.append(row) }
            for (id, text) in rows {
                try await publish(id, text)
                try await connection.query("DELETE FROM usage_outbox WHERE id = \(id)", logger: logger)
            }
            return rows.count
        }
    }
}

/// A `deployments` row with its aggregators, as PostgreSQL's json_build_object renders it.
struct DeploymentRow: Decodable, Sendable {
    struct Aggregator: Decodable, Sendable {
        var id: UUID
        var role: String
        var slot: Int?
        var provider: String
        var region: String
        var instanceType: String
        var vcpus: Int
        var memoryGB: Double
        var hourlyUSD: Double
        var endpoint: String?
    }

    var id: UUID
    var federationId: UUID
    var placementId: UUID
    var frontIndex: Int
    var provisioner: ProvisionerKind
    var status: DeploymentStatus
    var monthlyCostUSD: Double
    var roundSeconds: Double
    var createdBy: String
    var createdAt: Double
    var startedAt: Double?
    var stoppedAt: Double?
    var terraformDirectory: String?
    var lastError: String?
    var aggregators: [Aggregator]

    static let selectJSON = """
        json_build_object(
            'id', d.id, 'federationId', d.federation_id, 'placementId', d.placement_id, 'frontIndex', d.front_index,
            'provisioner', d.provisioner, 'status', d.status, 'monthlyCostUSD', d.monthly_cost_usd, 'roundSeconds', d.round_seconds,
            'createdBy', d.created_by, 'createdAt', extract(epoch FROM d.created_at), 'startedAt', extract(epoch FROM d.started_at),
            'stoppedAt', extract(epoch FROM d.stopped_at), 'terraformDirectory', d.terraform_directory, 'lastError', d.last_error,
            'aggregators', (SELECT coalesce(json_agg(json_build_object(
                'id', a.id, 'role', a.role, 'slot', a.slot, 'provider', a.provider, 'region', a.region, 'instanceType', a.instance_type,
                'vcpus', a.vcpus, 'memoryGB', a.memory_gb, 'hourlyUSD', a.hourly_usd, 'endpoint', a.endpoint) ORDER BY a.position), '[]'::json)
              FROM deployment_aggregators a WHERE a.deployment_id = d.id))::text
        """

    static func decode(_ text: String) throws -> DeploymentRow {
        try JSONDecoder().decode(DeploymentRow.self, from: Data(text.utf8))
    }

    var plan: DeploymentPlan {
        DeploymentPlan(id: id, federationId: federationId, placementId: placementId, frontIndex: frontIndex,
                       aggregators: aggregators.map { PlannedAggregator(id: $0.id, role: $0.role, slot: $0.slot, site: $0.site) })
    }

    var view: DeploymentView {
        let deployed = aggregators.map { DeployedAggregator(id: $0.id, role: $0.role, slot: $0.slot, site: $0.site, endpoint: $0.endpoint) }
        return DeploymentView(
            id: id, federationId: federationId, placementId: placementId, frontIndex: frontIndex, provisioner: provisioner, status: status,
            endpoint: status == .running ? aggregators.first { $0.role != "regional" }?.endpoint : nil, aggregators: deployed,
            monthlyCostUSD: monthlyCostUSD, roundSeconds: roundSeconds, createdBy: createdBy, createdAt: Date(timeIntervalSince1970: createdAt),
            startedAt: startedAt.map(Date.init(timeIntervalSince1970:)), stoppedAt: stoppedAt.map(Date.init(timeIntervalSince1970:)),
            terraformDirectory: terraformDirectory, lastError: lastError)
    }
}

extension DeploymentRow.Aggregator {
    var site: AggregatorSite {
        AggregatorSite(provider: provider, region: region, instanceType: instanceType, vCPU: vcpus, memoryGB: memoryGB, hourlyUSD: hourlyUSD)
    }
}
