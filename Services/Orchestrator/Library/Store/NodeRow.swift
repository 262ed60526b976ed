import AssignmentCore
import CumulusAPI
import Foundation

/// A `nodes` row as PostgreSQL's `json_build_object` renders it (see `NodeRow.selectJSON`):
/// one text column instead of twenty typed ones, decoded with the API's own types.
struct NodeRow: Decodable, Sendable {
    var id: UUID
    var organisationId: UUID
    var federationId: UUID
    var hostname: String
    var provider: String?
    var region: String?
    var zone: String?
    var instanceType: String?
    var vcpus: Int
    var memoryBytes: Int64
    var diskBytes: Int64
    var gpus: [NodeSpecs.GPUSpec]
    var labels: [String: String]
    var status: NodeStatus
    var registeredAt: Double
    var lastHeartbeatAt: Double?
    var telemetry: Telemetry?
    var datasets: [DatasetSummary]
    var agentVersion: String
    var signingPublicKey: String
    var agreementPublicKey: String

    /// The select list; use as `SELECT \(NodeRow.selectJSON) FROM nodes …`.
    static let selectJSON = """
        json_build_object(
            'id', id, 'organisationId', organisation_id, 'federationId', federation_id, 'hostname', hostname,
            'provider', provider, 'region', region, 'zone', zone, 'instanceType', instance_type,
            'vcpus', vcpus, 'memoryBytes', memory_bytes, 'diskBytes', disk_bytes, 'gpus', gpus, 'labels', labels,
            'status', status, 'registeredAt', extract(epoch FROM registered_at), 'lastHeartbeatAt', extract(epoch FROM last_heartbeat_at),
            'telemetry', telemetry, 'datasets', datasets, 'agentVersion', agent_version,
            'signingPublicKey', signing_public_key, 'agreementPublicKey', agreement_public_key)::text
        """

    static func decode(_ text: String) throws -> NodeRow {
        try JSONDecoder().decode(NodeRow.self, from: Data(text.utf8))
    }

    var view: NodeView {
        NodeView(id: id, organisationId: organisationId, federationId: federationId, hostname: hostname,
                 location: NodeLocation(provider: provider, region: region, zone: zone, instanceType: instanceType),
                 specs: NodeSpecs(vcpus: vcpus, memoryBytes: memoryBytes, diskBytes: diskBytes, gpus: gpus), labels: labels, status: status,
                 registeredAt: Date(timeIntervalSince1970: registeredAt), lastHeartbeatAt: lastHeartbeatAt.map(Date.init(timeIntervalSince1970:)),
                 telemetry: telemetry, datasets: datasets, agentVersion: agentVersion, signingPublicKey: signingPublicKey,
                 agreementPublicKey: agreementPublicKey)
    }

    /// What assignment sees. Memory and disk in GiB (the "GB" of cloud instance sheets). A node
    /// that never heartbeated counts as silent since the epoch and so is never fresh.
    var snapshot: NodeSnapshot {
        let gib = Double(1 << 30)
        return NodeSnapshot(
            id: id, organisation: organisationId, status: status, lastHeartbeat: Date(timeIntervalSince1970: lastHeartbeatAt ?? 0),
            vcpus: vcpus, memoryGB: Double(memoryBytes) / gib, gpus: gpus.count,
            freeDiskGB: Double(telemetry?.diskFreeBytes ?? 0) / gib,
            cpuUtilisation: (telemetry?.cpuPercent ?? 100) / 100,
            memoryUtilisation: (telemetry?.memoryPercent ?? 100) / 100,
            datasets: Set(datasets.map(\.name)))
    }
}
