import Foundation
import Yams

/// A spec (job, placement) read from a JSON or YAML file. YAML is turned into the same JSON
/// first, so both forms are decoded, and refused, by the one decoder the API uses.
enum SpecFile {
    static func decode<T: Decodable>(_ type: T.Type, from path: String, what: String) throws -> T {
        guard let data = FileManager.default.contents(atPath: path) else { throw refusal("cannot read \(path)") }
        let json: Data
        if path.hasSuffix(".json") {
            json = data
        } else {
            let text = String(decoding: data, as: UTF8.self)
            let value: Any?
            do { value = try Yams.load(yaml: text) } catch { throw refusal("\(path) is not valid YAML: \(error)") }
            guard let value = value.map(jsonCompatible), value is [String: Any], JSONSerialization.isValidJSONObject(value) else {
                throw refusal("\(path) holds no \(what) (expected a mapping at the top)")
            }
            json = try JSONSerialization.data(withJSONObject: value)
        }
        do { return try JSONDecoder().decode(T.self, from: json) } catch let error as DecodingError {
            throw refusal("\(path) is not a \(what): \(describe(error))")
        }
    }

    /// YAML's own scalars in JSON's terms: mapping keys as strings, and a timestamp such as
    /// `2025-09-01` back to the text it was written as.
    static func jsonCompatible(_ value: Any) -> Any {
        switch value {
        case let mapping as [AnyHashable: Any]:
            return Dictionary(mapping.map { ("\($0.key.base)", jsonCompatible($0.value)) }, uniquingKeysWith: { first, _ in first })
        case let sequence as [Any]:
            return sequence.map(jsonCompatible)
        case let date as Date:
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = date.timeIntervalSince1970.truncatingRemainder(dividingBy: 86_400) == 0 ? [.withFullDate] : [.withInternetDateTime]
            return formatter.string(from: date)
        default:
            return value
        }
    }

    /// "field a.b: reason" rather than the decoder's debug dump.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "the top level" : keys.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "\(parent == "the top level" ? "" : parent + ".")\(key.stringValue) is missing"
        case .typeMismatch(let type, let context): return "\(path(context)) must be \(type): \(context.debugDescription)"
        case .valueNotFound(let type, let context): return "\(path(context)) must be \(type), not null"
        case .dataCorrupted(let context): return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
