import Foundation

/// Decodes an uploaded credential's JSON into its input type, turning decoding failures into
/// `.invalidInput` naming the field, so the HTTP edge can answer 400 with something a person
/// can fix. Like every reason here, it never repeats a value.
public enum CredentialInputDecoding {
    /// The field name used when the body as a whole is wrong.
    public static let bodyField = "body"

    public static func decode<Input: CloudCredentialInput>(_ type: Input.Type, from json: Data) throws(CredentialValidationError) -> Input {
        do {
            return try JSONDecoder().decode(Input.self, from: json)
        } catch let error as DecodingError {
            throw invalidInput(error)
        } catch {
            throw .invalidInput(field: bodyField, reason: "not a JSON object")
        }
    }

    static func invalidInput(_ error: DecodingError) -> CredentialValidationError {
        func path(_ codingPath: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            let keys = (codingPath + (last.map { [$0] } ?? [])).map(\.stringValue)
            return keys.isEmpty ? bodyField : keys.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return .invalidInput(field: path(context.codingPath, key), reason: "is required")
        case .valueNotFound(_, let context):
            return .invalidInput(field: path(context.codingPath), reason: "must not be null")
        case .typeMismatch(let type, let context):
            let expected = type == String.self || type == SecretString.self ? "a string" : "of another type"
            return .invalidInput(field: path(context.codingPath), reason: "must be \(expected)")
        case .dataCorrupted(let context):
            return .invalidInput(field: path(context.codingPath), reason: context.codingPath.isEmpty ? "not valid JSON" : "is malformed")
        @unknown default:
            return .invalidInput(field: bodyField, reason: "cannot be read")
        }
    }
}
