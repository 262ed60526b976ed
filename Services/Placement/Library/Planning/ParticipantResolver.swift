import AsyncHTTPClient
import CumulusAPI
import CumulusKit
import Foundation
import Logging
import NIOCore
import PlacementCore

/// Where a placement's participants are: the request's list, or the federation's nodes at the
/// orchestrator.
///
/// From the orchestrator, each organisation with nodes in the federation is one participant
/// (a round trains on one node per participant), located in the region most of its nodes report
/// (ties: the alphabetically first). Nodes without a provider and region, or on a provider the
/// models do not know, are left out. The orchestrator is called with the caller's own token, so
/// a caller who may see only their organisation's nodes gets a placement for those only; the
/// answer says where the participants came from.
struct ParticipantResolver: Sendable {
    let orchestratorURL: URL?
    let client: InternalClient
    let logger: Logger

    struct Resolved: Sendable {
        var participants: [RegionID]
        /// Request field of each participant, for errors.
        var fields: [String]
        var source: String
    }

    func resolve(_ body: NewPlacement, identity: Identity, requestID: String?) async throws -> Resolved {
        if let given = body.participants {
            var regions: [RegionID] = [], fields: [String] = []
            for (index, participant) in given.enumerated() {
                let region = try PlacementValidation.region(provider: participant.provider, region: participant.region, field: "participants[\(index)]")
                for _ in 0..<(participant.count ?? 1) {
                    regions.append(region)
                    fields.append("participants[\(index)].region")
                }
            }
            return Resolved(participants: regions, fields: fields, source: "request")
        }
        guard let orchestratorURL else {
            throw Problem.invalidField("participants", "is required: this placement service has no orchestrator to ask (CUMULUS_PLACEMENT_ORCHESTRATOR_URL is not set)")
        }
        guard let token = identity.token else { throw Problem.unauthorized("the orchestrator is asked with your token, and none came with the request") }
        let url = orchestratorURL.absoluteString.trimmingSuffix("/") + "/api/v1/nodes?federationId=\(body.federationId.uuidString.lowercased())"
        let nodes: NodeList
        do {
            nodes = try await client.json(try InternalClient.jsonRequest(.GET, url, bearer: token), as: NodeList.self, requestID: requestID)
        } catch let error as InternalCallError {
            logger.warning("orchestrator refused the node listing", metadata: ["status": "\(error.status)", "error": "\(error)"])
            if error.status == 404 || error.status == 403 { throw Problem.notFound("federation \(body.federationId.uuidString.lowercased())") }
            throw Problem(.badGateway, detail: "the orchestrator answered \(error.status) when asked for the federation's nodes")
        } catch {
            logger.warning("orchestrator unreachable", metadata: ["error": "\(error)"])
            throw Problem(.badGateway, detail: "the orchestrator could not be reached for the federation's nodes; give participants in the request")
        }
        let participants = Self.participants(from: nodes.nodes)
        guard !participants.isEmpty else {
            throw Problem.invalidField("participants", "federation \(body.federationId.uuidString.lowercased()) has no nodes with a known provider and region; list participants in the request",
                                       limit: "1")
        }
        logger.info("participants from the orchestrator", metadata: ["federation": "\(body.federationId)", "nodes": "\(nodes.nodes.count)",
                                                                      "participants": "\(participants.count)"])
        return Resolved(participants: participants, fields: participants.map { _ in "participants" }, source: "orchestrator")
    }

    /// One region per organisation: the one most of its located nodes are in. Organisations in
    /// id order, so the same nodes always give the same list.
    static func participants(from nodes: [NodeView]) -> [RegionID] {
        var byOrganisation: [UUID: [RegionID: Int]] = [:]
        for node in nodes {
            guard let providerName = node.location.provider, let provider = Provider(catalogueName: providerName),
                  let name = node.location.region?.trimmingCharacters(in: .whitespaces), !name.isEmpty else { continue }
            byOrganisation[node.organisationId, default: [:]][RegionID(provider, name), default: 0] += 1
        }
        return byOrganisation.keys.sorted { $0.uuidString < $1.uuidString }.compactMap { organisation in
            byOrganisation[organisation]!.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
        }
    }
}

extension JSONDecoder {
    static var iso8601: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
