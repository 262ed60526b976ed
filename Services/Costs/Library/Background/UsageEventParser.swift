import CostsCore
import CumulusAPI
import Foundation
import PlacementCore

/// Reads a `cumulus.usage` stream entry (string fields, see `UsageStream`) as CostsCore's
/// `UsageEvent`. Pure, so every rule is unit-tested; a failure names the field and why, and the
/// event is recorded as malformed rather than retried forever.
enum UsageEventParser {
    struct Failure: Error, Equatable, CustomStringConvertible {
        /// A stable code: `missing-field`, `invalid-field`, `unknown-provider`, `unknown-kind`.
        var code: String
        var field: String
        var reason: String
        var description: String { "\(field): \(reason)" }
    }

    struct Parsed: Equatable {
        var event: UsageEvent
        var federation: UUID
        var source: String
    }

    /// The event id a message is known by even when it cannot be parsed.
    static func eventID(_ fields: [String: String], messageID: String) -> String {
        let id = fields[UsageStream.Field.eventId]?.trimmingCharacters(in: .whitespaces) ?? ""
        return id.isEmpty ? "stream:\(messageID)" : String(id.prefix(200))
    }

    static func parse(_ fields: [String: String], messageID: String) -> Result<Parsed, Failure> {
        do { return .success(try parseThrowing(fields, messageID: messageID)) } catch let failure as Failure { return .failure(failure) } catch {
            return .failure(Failure(code: "invalid-field", field: "?", reason: "\(error)"))
        }
    }

    private static func parseThrowing(_ fields: [String: String], messageID: String) throws -> Parsed {
        typealias F = UsageStream.Field
        func text(_ name: String) throws -> String {
            guard let value = fields[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
                throw Failure(code: "missing-field", field: name, reason: "is missing or empty")
            }
            guard value.count <= 500 else { throw Failure(code: "invalid-field", field: name, reason: "is longer than 500 characters") }
            return value
        }
        func optionalText(_ name: String) -> String? {
            guard let value = fields[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
            return value
        }
        func region(_ providerField: String, _ regionField: String) throws -> RegionID {
            let name = try text(providerField)
            guard let provider = Provider(catalogueName: name) else {
                throw Failure(code: "unknown-provider", field: providerField, reason: "\"\(name)\" is not aws, gcp, azure or openstack")
            }
            return RegionID(provider, try text(regionField))
        }
        func timestamp(_ name: String) throws -> Timestamp {
            let value = try text(name)
            guard let date = Self.date(value) else {
                throw Failure(code: "invalid-field", field: name, reason: "\"\(value)\" is not an ISO 8601 UTC time")
            }
            return Timestamp(millisecondsSince1970: Int64((date.timeIntervalSince1970 * 1000).rounded()))
        }
        func machine() throws -> MachineSpec {
            let type = optionalText(F.instanceType)
            var resources: ResourceRequirement?
            if let vcpuText = optionalText(F.vcpus) {
                guard let vcpus = Int(vcpuText), vcpus >= 0 else { throw Failure(code: "invalid-field", field: F.vcpus, reason: "\"\(vcpuText)\" is not a whole number >= 0") }
                var memoryGB = 0.0
                if let memoryText = optionalText(F.memoryBytes) {
                    guard let bytes = Int64(memoryText), bytes >= 0 else {
                        throw Failure(code: "invalid-field", field: F.memoryBytes, reason: "\"\(memoryText)\" is not a whole number of bytes >= 0")
                    }
                    memoryGB = Double(bytes) / Double(1 << 30)
                }
                resources = ResourceRequirement(vCPU: vcpus, memoryGB: memoryGB)
            }
            guard type != nil || resources != nil else {
                throw Failure(code: "missing-field", field: F.instanceType, reason: "neither instanceType nor vcpus is given")
            }
            return MachineSpec(instanceType: type, resources: resources)
        }

        let id = eventID(fields, messageID: messageID)
        let federationText = try text(F.federation)
        guard let federation = UUID(uuidString: federationText) else {
            throw Failure(code: "invalid-field", field: F.federation, reason: "\"\(federationText)\" is not a UUID")
        }
        let source = optionalText(F.source) ?? "unknown"
        let kindText = try text(F.kind)
        guard let kind = UsageStream.Kind(rawValue: kindText) else {
            throw Failure(code: "unknown-kind", field: F.kind, reason: "\"\(kindText)\" is not \(UsageStream.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let federationKey = federation.uuidString.lowercased()
        let usage: UsageEvent.Usage
        switch kind {
        case .nodeHours:
            usage = .nodeHours(NodeUsage(
                organisation: try text(F.organisation), node: try text(F.node), region: try region(F.provider, F.region), machine: try machine(),
                interval: UsageInterval(start: try timestamp(F.start), end: try timestamp(F.end))))
        case .aggregatorHours:
            usage = .aggregatorHours(AggregatorUsage(
                deployment: try text(F.deployment), region: try region(F.provider, F.region), machine: try machine(),
                interval: UsageInterval(start: try timestamp(F.start), end: try timestamp(F.end))))
        case .bytesMoved:
            let destination: TransferDestination
            if optionalText(F.destination)?.lowercased() == UsageStream.internet {
                destination = .internet
            } else {
                destination = .region(try region(F.destinationProvider, F.destinationRegion))
            }
            let bytesText = try text(F.bytes)
            guard let bytes = Int64(bytesText) else { throw Failure(code: "invalid-field", field: F.bytes, reason: "\"\(bytesText)\" is not a whole number") }
            usage = .bytesMoved(TransferUsage(organisation: optionalText(F.organisation), source: try region(F.provider, F.region),
                                              destination: destination, bytes: bytes, at: try timestamp(F.at)))
        }
        return Parsed(event: UsageEvent(id: id, federation: federationKey, usage: usage), federation: federation, source: source)
    }

    static func date(_ text: String) -> Date? {
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = fractional.date(from: text) { return date }
        return ISO8601DateFormatter().date(from: text)
    }
}
