import Foundation

/// How services other than governance record security-relevant actions: an event on the
/// `cumulus.audit` stream, which governance appends to the hash-chained audit log exactly once.
public struct AuditPublisher: Sendable {
    public static let stream = "cumulus.audit"

    let redis: any RedisCommandRunner
    let service: String

    public init(redis: any RedisCommandRunner, service: String) {
        self.redis = redis
        self.service = service
    }

    public func publish(actor: String, action: String, target: String, outcome: String = "success",
                        organisationID: UUID? = nil, federationID: UUID? = nil, details: [String: String] = [:]) async throws {
        let detailJSON = String(decoding: try JSONSerialization.data(withJSONObject: details, options: [.sortedKeys]), as: UTF8.self)
        var fields = ["service": service, "actor": actor, "action": action, "target": target, "outcome": outcome, "details": detailJSON]
        if let organisationID { fields["organisationId"] = organisationID.uuidString.lowercased() }
        if let federationID { fields["federationId"] = federationID.uuidString.lowercased() }
        try await redis.xadd(Self.stream, fields: fields, maxLength: nil)
    }
}
