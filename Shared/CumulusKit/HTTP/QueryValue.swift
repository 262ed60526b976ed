import Foundation

/// Query-string values, read the one way every service reads them: an absent value is nil, a
/// malformed one is a 400 naming the parameter and its limit.
public enum QueryValue {
    public static func uuid(_ text: Substring?, _ field: String) throws -> UUID? {
        guard let text else { return nil }
        guard let id = UUID(uuidString: String(text)) else { throw Problem.invalidField(field, "must be a UUID") }
        return id
    }

    /// `why` says what the value is for, e.g. "deployments are listed per federation".
    public static func requiredUUID(_ text: Substring?, _ field: String, why: String? = nil) throws -> UUID {
        guard let id = try uuid(text, field) else { throw Problem.invalidField(field, "is required (a UUID)" + (why.map { ": \($0)" } ?? "")) }
        return id
    }

    public static func integer(_ text: Substring?, _ field: String, _ range: ClosedRange<Int>) throws -> Int? {
        guard let text else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw Problem.invalidField(field, "must be a whole number from \(range.lowerBound) to \(range.upperBound)",
                                       limit: "\(range.lowerBound)-\(range.upperBound)")
        }
        return value
    }

    public static func number(_ text: Substring?, _ field: String, _ range: ClosedRange<Double>) throws -> Double? {
        guard let text else { return nil }
        guard let value = Double(text), value.isFinite, range.contains(value) else {
            throw Problem.invalidField(field, "must be a number from \(range.lowerBound) to \(range.upperBound)",
                                       limit: "\(range.lowerBound)-\(range.upperBound)")
        }
        return value
    }

    public static func boolean(_ text: Substring?, _ field: String) throws -> Bool {
        guard let text else { return false }
        switch text.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw Problem.invalidField(field, "must be true or false")
        }
    }
}
