import Foundation

/// Field-level checks shared by the credential inputs. Reasons never repeat the value, since
/// the value may be a secret.
enum FieldCheck {
    static func invalid(_ field: String, _ reason: String) -> CredentialValidationError {
        .invalidInput(field: field, reason: reason)
    }

    /// Not empty (after trimming), at most `maxLength` characters, no control characters.
    static func text(_ value: String, field: String, maxLength: Int) throws(CredentialValidationError) {
        if value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw invalid(field, "must not be empty") }
        if value.count > maxLength { throw invalid(field, "longer than \(maxLength) characters") }
        if value.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) {
            throw invalid(field, "contains control characters")
        }
    }

    /// Not empty, at most `maxLength` characters, and no whitespace or control characters at all
    /// (keys, secrets and tokens never contain any; a stray newline from a copy-paste would
    /// otherwise be sent to the provider and fail there with a less helpful message).
    static func token(_ value: String, field: String, maxLength: Int) throws(CredentialValidationError) {
        if value.isEmpty { throw invalid(field, "must not be empty") }
        if value.count > maxLength { throw invalid(field, "longer than \(maxLength) characters") }
        if value.unicodeScalars.contains(where: { CharacterSet.whitespacesAndNewlines.contains($0) || CharacterSet.controlCharacters.contains($0) }) {
            throw invalid(field, "contains whitespace or control characters")
        }
    }

    /// Only characters from `allowed`, length within `lengths`.
    static func characters(_ value: String, field: String, lengths: ClosedRange<Int>, allowed: String, description: String) throws(CredentialValidationError) {
        let set = Set(allowed.unicodeScalars)
        guard lengths.contains(value.unicodeScalars.count), value.unicodeScalars.allSatisfy({ set.contains($0) }) else {
            throw invalid(field, "must be \(description)")
        }
    }

    static let upperAlphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    static let lowerAlphanumerics = "abcdefghijklmnopqrstuvwxyz0123456789"
    static let alphanumerics = upperAlphanumerics + lowerAlphanumerics.filter(\.isLetter)

    /// A GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47 (any hex case).
    static func guid(_ value: String, field: String) throws(CredentialValidationError) {
        guard UUID(uuidString: value) != nil, value.count == 36 else {
            throw invalid(field, "must be a GUID like 00000000-0000-0000-0000-000000000000")
        }
    }

    /// An absolute http or https URL with a host and no user info or fragment; returns it parsed.
    @discardableResult
    static func httpURL(_ value: String, field: String) throws(CredentialValidationError) -> URLComponents {
        guard let components = URLComponents(string: value),
              let scheme = components.scheme?.lowercased(), scheme == "https" || scheme == "http",
              let host = components.host, !host.isEmpty
        else { throw invalid(field, "must be an absolute http(s) URL") }
        if components.user != nil || components.password != nil { throw invalid(field, "must not contain user info") }
        if components.fragment != nil { throw invalid(field, "must not contain a fragment") }
        return components
    }
}
