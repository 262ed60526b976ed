import CumulusAPI
import CumulusClient
import Crypto
import Foundation

/// Measures the machine: CPU from /proc/stat deltas, memory from /proc/meminfo, disk from
/// statvfs on the data folder, load from /proc/loadavg, GPUs from `nvidia-smi` where it exists.
/// An operator may cap what the node offers (`--cpus`, `--memory-gb`): the specs say so, and
/// utilisation is then measured against the cap.
final class TelemetryCollector: @unchecked Sendable {
    let dataFolder: String
    let caps: Caps
    /// Values that replace measured ones (for demonstrations and the scenario test only).
    let overrides: [String: Double]
    private var previousCPU: (busy: UInt64, total: UInt64)?
    private let lock = NSLock()

    struct Caps {
        var vcpus: Int?
        var memoryBytes: Int64?
        var diskBytes: Int64?
    }

    init(dataFolder: String, caps: Caps, overrides: [String: Double]) {
        self.dataFolder = dataFolder
        self.caps = caps
        self.overrides = overrides
        _ = cpuPercent()
    }

    func specs() -> NodeSpecs {
        let memory = Self.meminfo()["MemTotal"] ?? 0
        let disk = Self.disk(dataFolder)
        return NodeSpecs(
            vcpus: min(ProcessInfo.processInfo.activeProcessorCount, caps.vcpus ?? .max),
            memoryBytes: min(memory, caps.memoryBytes ?? .max),
            diskBytes: min(disk.total, caps.diskBytes ?? .max),
            gpus: Self.gpus().map { NodeSpecs.GPUSpec(name: $0.name, memoryBytes: $0.memoryTotalBytes) })
    }

    func measure() -> Telemetry {
        let info = Self.meminfo()
        let total = min(info["MemTotal"] ?? 0, caps.memoryBytes ?? .max)
        let used = min(total, (info["MemTotal"] ?? 0) - (info["MemAvailable"] ?? 0))
        let disk = Self.disk(dataFolder)
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).compactMap { Double($0) } ?? []
        var telemetry = Telemetry(cpuPercent: cpuPercent(), memoryUsedBytes: used, memoryTotalBytes: max(total, 1),
                                  diskUsedBytes: max(0, disk.total - disk.free), diskFreeBytes: disk.free, load: load, gpus: Self.gpus())
        if let cpu = overrides["cpuPercent"] { telemetry.cpuPercent = cpu }
        if let memory = overrides["memoryPercent"] { telemetry.memoryUsedBytes = Int64(Double(telemetry.memoryTotalBytes) * memory / 100) }
        if let free = overrides["diskFreeGB"] { telemetry.diskFreeBytes = Int64(free * Double(1 << 30)) }
        return telemetry
    }

    /// Busy share of all cores since the previous call, 0…100.
    private func cpuPercent() -> Double {
        guard let line = (try? String(contentsOfFile: "/proc/stat", encoding: .utf8))?.split(separator: "\n").first else { return 0 }
        let values = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard values.count >= 4 else { return 0 }
        let idle = values[3] + (values.count > 4 ? values[4] : 0)
        let total = values.prefix(8).reduce(0, +)
        let busy = total - idle
        return lock.withLock {
            defer { previousCPU = (busy, total) }
            guard let previous = previousCPU, total > previous.total else { return 0 }
            return min(100, max(0, Double(busy - previous.busy) / Double(total - previous.total) * 100))
        }
    }

    static func meminfo() -> [String: Int64] {
        var result: [String: Int64] = [:]
        for line in ((try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)) ?? "").split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count >= 2, let kib = Int64(parts[1]) { result[String(parts[0].dropLast())] = kib * 1024 }
        }
        return result
    }

    static func disk(_ path: String) -> (total: Int64, free: Int64) {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return (0, 0) }
        return (Int64(stats.f_blocks) * Int64(stats.f_frsize), Int64(stats.f_bavail) * Int64(stats.f_frsize))
    }

    /// `nvidia-smi`'s view of the GPUs; none when it is not installed.
    static func gpus() -> [GPUTelemetry] {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map { "\($0)/nvidia-smi" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let path else { return [] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--query-gpu=index,name,memory.total,memory.used,utilization.gpu", "--format=csv,noheader,nounits"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return [] }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return output.split(separator: "\n").compactMap { line in
            let f = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard f.count == 5, let index = Int(f[0]), let total = Int64(f[2]), let used = Int64(f[3]), let util = Double(f[4]) else { return nil }
            return GPUTelemetry(index: index, name: f[1], memoryTotalBytes: total << 20, memoryUsedBytes: used << 20, utilisationPercent: util)
        }
    }
}

/// The datasets a node holds: every `*.csv` in the data folder, described by name (file name
/// without extension), row count (lines after the header) and the SHA-256 of the header line.
/// Never the data. Cached by modification time and size, so heartbeats do not reread files.
final class DatasetScanner: @unchecked Sendable {
    let folder: String
    private var cache: [String: (stamp: String, summary: DatasetSummary)] = [:]
    private let lock = NSLock()

    init(folder: String) { self.folder = folder }

    func scan() -> [DatasetSummary] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".csv") }.sorted()
        return names.compactMap { name in
            let path = folder + "/" + name
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
            let stamp = "\((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)/\(attributes[.size] ?? 0)"
            if let cached = lock.withLock({ cache[name] }), cached.stamp == stamp { return cached.summary }
            guard let summary = Self.describe(path: path, name: String(name.dropLast(4))) else { return nil }
            lock.withLock { cache[name] = (stamp, summary) }
            return summary
        }
    }

    static func describe(path: String, name: String) -> DatasetSummary? {
        guard let data = FileManager.default.contents(atPath: path), let newline = data.firstIndex(of: 0x0A) else { return nil }
        var header = data[data.startIndex..<newline]
        if header.last == 0x0D { header = header.dropLast() }
        var rows = data.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 } - 1
        if data.last != 0x0A { rows += 1 }
        let hash = SHA256.hash(data: header).map { String(format: "%02x", $0) }.joined()
        let safeName = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) ? $0 : "_" }.prefix(128))
        return DatasetSummary(name: safeName, rows: max(0, rows), schemaHash: hash)
    }
}
