import AssignmentCore
import CumulusAPI
import CumulusKit
import Foundation

/// Checks of what agents and users send, each naming the field and the limit. Values that no
/// real machine reports (negative memory, CPU above 100 %) are refused, not clamped: they mean a
/// broken agent, and storing them would mislead assignment.
enum OrchestratorValidation {
    static let taskKinds: Set<String> = ["probe", "train", "evaluate"]

    static func registration(_ body: NodeRegistration) throws {
        _ = try Validation.text(body.hostname, field: "hostname", length: 1...253)
        try range(Double(body.specs.vcpus), 1...4096, "specs.vcpus")
        try range(Double(body.specs.memoryBytes), 1...Double(1 << 46), "specs.memoryBytes", limit: "1 byte to 64 TiB")
        try range(Double(body.specs.diskBytes), 0...Double(1 << 56), "specs.diskBytes")
        try count(body.specs.gpus.count, 64, "specs.gpus")
        for (index, gpu) in body.specs.gpus.enumerated() {
            _ = try Validation.text(gpu.name, field: "specs.gpus[\(index)].name", length: 1...200)
            try range(Double(gpu.memoryBytes), 0...Double(1 << 44), "specs.gpus[\(index)].memoryBytes")
        }
        try count(body.labels.count, 64, "labels")
        for (key, value) in body.labels {
            _ = try Validation.text(key, field: "labels", length: 1...63)
            _ = try Validation.text(value, field: "labels.\(key)", length: 0...255)
        }
        for (field, value) in [("location.provider", body.location.provider), ("location.region", body.location.region),
                               ("location.zone", body.location.zone), ("location.instanceType", body.location.instanceType)] {
            if let value { _ = try Validation.text(value, field: field, length: 1...64) }
        }
        _ = try Validation.text(body.agentVersion, field: "agentVersion", length: 1...64)
        try publicKey(body.signingPublicKey, "signingPublicKey")
        try publicKey(body.agreementPublicKey, "agreementPublicKey")
    }

    static func heartbeat(_ body: Heartbeat) throws {
        let t = body.telemetry
        try range(t.cpuPercent, 0...100, "telemetry.cpuPercent", limit: "0 to 100")
        try range(Double(t.memoryTotalBytes), 1...Double(1 << 46), "telemetry.memoryTotalBytes")
        try range(Double(t.memoryUsedBytes), 0...Double(t.memoryTotalBytes), "telemetry.memoryUsedBytes", limit: "0 to memoryTotalBytes")
        try range(Double(t.diskUsedBytes), 0...Double(1 << 56), "telemetry.diskUsedBytes")
        try range(Double(t.diskFreeBytes), 0...Double(1 << 56), "telemetry.diskFreeBytes")
        try count(t.load.count, 3, "telemetry.load")
        for (index, load) in t.load.enumerated() { try range(load, 0...100_000, "telemetry.load[\(index)]") }
        try count(t.gpus.count, 64, "telemetry.gpus")
        for (index, gpu) in t.gpus.enumerated() {
            _ = try Validation.text(gpu.name, field: "telemetry.gpus[\(index)].name", length: 1...200)
            try range(gpu.utilisationPercent, 0...100, "telemetry.gpus[\(index)].utilisationPercent", limit: "0 to 100")
            try range(Double(gpu.memoryTotalBytes), 0...Double(1 << 44), "telemetry.gpus[\(index)].memoryTotalBytes")
            try range(Double(gpu.memoryUsedBytes), 0...Double(gpu.memoryTotalBytes), "telemetry.gpus[\(index)].memoryUsedBytes",
                      limit: "0 to memoryTotalBytes")
        }
        try count(body.datasets.count, 256, "datasets")
        for (index, dataset) in body.datasets.enumerated() {
            try datasetName(dataset.name, "datasets[\(index)].name")
            try range(Double(dataset.rows), 0...1e12, "datasets[\(index)].rows")
            guard dataset.schemaHash.count == 64, dataset.schemaHash.allSatisfy(\.isHexDigit) else {
                throw Problem.invalidField("datasets[\(index)].schemaHash", "must be a SHA-256 in hex (64 characters)")
            }
        }
    }

    static func newTask(_ body: NewTask) throws {
        guard taskKinds.contains(body.kind) else {
            throw Problem.invalidField("kind", "must be one of \(taskKinds.sorted().joined(separator: ", "))")
        }
        try requirement(body.requirement)
        if let value = body.maxAttempts { try range(Double(value), 1...20, "maxAttempts") }
        if let value = body.leaseSeconds { try range(Double(value), 2...3600, "leaseSeconds") }
        if let value = body.deadlineSeconds { try range(Double(value), 5...(7 * 86_400), "deadlineSeconds") }
        if let reference = body.reference { _ = try Validation.text(reference, field: "reference", length: 1...200) }
        try size(body.parameters, 64 << 10, "parameters")
    }

    static func requirement(_ r: TaskRequirement) throws {
        try range(Double(r.minimumVCPUs), 0...4096, "requirement.minimumVCPUs")
        try range(r.minimumMemoryGB, 0...65_536, "requirement.minimumMemoryGB")
        try range(Double(r.minimumGPUs), 0...64, "requirement.minimumGPUs")
        try range(r.minimumFreeDiskGB, 0...1_048_576, "requirement.minimumFreeDiskGB")
        try range(r.maximumCPUUtilisation, 0.01...1, "requirement.maximumCPUUtilisation", limit: "0.01 to 1")
        try range(r.maximumMemoryUtilisation, 0.01...1, "requirement.maximumMemoryUtilisation", limit: "0.01 to 1")
        try range(r.heartbeatFreshnessSeconds, 1...3600, "requirement.heartbeatFreshnessSeconds")
        if let dataset = r.dataset { try datasetName(dataset, "requirement.dataset") }
    }

    static func statusReport(_ body: TaskStatusReport) throws {
        try range(Double(body.attempt), 1...1000, "attempt")
        try range(Double(body.sequence), 1...Double(Int32.max), "sequence")
        if let progress = body.progress { try range(progress, 0...1, "progress", limit: "0 to 1") }
        if let message = body.message { _ = try Validation.text(message, field: "message", length: 0...2000) }
        if let result = body.result { try size(result, 64 << 10, "result") }
    }

    // MARK: helpers

    static func range(_ value: Double, _ allowed: ClosedRange<Double>, _ field: String, limit: String? = nil) throws {
        guard value.isFinite, allowed.contains(value) else {
            let shown = limit ?? "\(format(allowed.lowerBound)) to \(format(allowed.upperBound))"
            throw Problem.invalidField(field, "must be \(shown); got \(format(value))", limit: shown)
        }
    }

    static func count(_ count: Int, _ maximum: Int, _ field: String) throws {
        guard count <= maximum else { throw Problem.invalidField(field, "has \(count) entries; at most \(maximum)", limit: String(maximum)) }
    }

    static func size(_ value: some Encodable, _ maximum: Int, _ field: String) throws {
        let bytes = try JSONEncoder().encode(value).count
        guard bytes <= maximum else { throw Problem.invalidField(field, "is \(bytes) bytes as JSON; at most \(maximum)", limit: String(maximum)) }
    }

    static func datasetName(_ name: String, _ field: String) throws {
        guard (1...128).contains(name.count), name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
            throw Problem.invalidField(field, "must be 1 to 128 letters, digits, '.', '_' or '-'", limit: "128")
        }
    }

    static func publicKey(_ text: String, _ field: String) throws {
        guard let data = Data(base64Encoded: text), data.count == 32 else {
            throw Problem.invalidField(field, "must be a base64 32-byte public key")
        }
    }

    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
