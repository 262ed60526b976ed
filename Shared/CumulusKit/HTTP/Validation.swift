/// Field checks for request bodies. Each failure is a 400 naming the field and the limit.
public enum Validation {
    public static func text(_ value: String, field: String, length: ClosedRange<Int>) throws -> String {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard length.contains(trimmed.count) else {
            throw Problem.invalidField(field, "must be \(length.lowerBound) to \(length.upperBound) characters, got \(trimmed.count)",
                                       limit: "\(length.lowerBound)-\(length.upperBound) characters")
        }
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw Problem.invalidField(field, "must not contain control characters")
        }
        return trimmed
    }

    public static func email(_ value: String, field: String = "email") throws -> String {
        let email = try text(value, field: field, length: 3...254).lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !email.contains(" ") else {
            throw Problem.invalidField(field, "is not an email address")
        }
        return email
    }

    public static func password(_ value: String, field: String = "password") throws -> String {
        guard (12...256).contains(value.count) else {
            throw Problem.invalidField(field, "must be 12 to 256 characters", limit: "12-256 characters")
        }
        return value
    }
}

import Foundation
