import Foundation
import Logging

/// One JSON object per line on standard error: time, level, service, message, source and every
/// metadata key (request id included), so logs can be searched and joined by request.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String
    private let output: @Sendable (String) -> Void

    public init(label: String, level: Logger.Level, output: @escaping @Sendable (String) -> Void = JSONLogHandler.writeToStandardError) {
        self.label = label
        self.logLevel = level
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: Logger.Metadata.Value] = metadata
        if let extra = event.metadata { fields.merge(extra) { _, new in new } }
        fields["time"] = .string(Self.timestamp())
        fields["level"] = .string(event.level.rawValue)
        fields["logger"] = .string(label)
        fields["message"] = .string(event.message.description)
        fields["source"] = .string(event.source)
        if event.level >= .warning { fields["file"] = .string("\(event.file):\(event.line)") }
        output(Self.line(fields))
    }

    /// The JSON object, keys sorted, written by hand: this runs for every request, and
    /// JSONSerialization (locale-aware key sorting, boxing into `Any`) took 30 % of the
    /// orchestrator's CPU under the heartbeat benchmark (perf).
    static func line(_ fields: [String: Logger.Metadata.Value]) -> String {
        var out = ""
        out.reserveCapacity(256)
        write(.dictionary(fields), into: &out)
        return out
    }

    static func write(_ value: Logger.Metadata.Value, into out: inout String) {
        switch value {
        case .string(let text): write(text, into: &out)
        case .stringConvertible(let convertible): write(convertible.description, into: &out)
        case .array(let values):
            out.append("[")
            for (index, element) in values.enumerated() {
                if index > 0 { out.append(",") }
                write(element, into: &out)
            }
            out.append("]")
        case .dictionary(let values):
            out.append("{")
            for (index, key) in values.keys.sorted().enumerated() {
                if index > 0 { out.append(",") }
                write(key, into: &out)
                out.append(":")
                write(values[key]!, into: &out)
            }
            out.append("}")
        }
    }

    /// A JSON string literal (RFC 8259 escapes; "/" is left as it is).
    static func write(_ text: String, into out: inout String) {
        out.append("\"")
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out.append("\"")
    }

    /// UTC, milliseconds, e.g. 2026-11-21T23:35:38.716Z.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):"
            + "\(pad(parts.tm_sec, 2)).\(pad(Int32(now.tv_nsec / 1_000_000), 3))Z"
    }

    public static let writeToStandardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

extension LoggingSystem {
    /// Installs the process-wide log handler once, from `main`.
    public static func bootstrapCumulus(format: ServiceConfiguration.LogFormat, level: Logger.Level) {
        bootstrap { label in
            switch format {
            case .json:
                return JSONLogHandler(label: label, level: level)
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }
}
