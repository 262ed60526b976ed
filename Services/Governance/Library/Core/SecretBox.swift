import Crypto
import Foundation

/// AES-GCM encryption at rest with named keys, so keys can rotate: new secrets are sealed with
/// the active key, old ones still open with the key named in their envelope.
/// Envelope: `v1:<key id>:<base64 of nonce ‖ ciphertext ‖ tag>`.
public struct SecretBox: Sendable {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case unknownKey(String)
        case malformedEnvelope
        case authenticationFailed

        public var description: String {
            switch self {
            case .unknownKey(let id): "secret sealed with key '\(id)', which is not configured"
            case .malformedEnvelope: "sealed secret is not a v1 envelope"
            case .authenticationFailed: "sealed secret failed authentication (wrong key or tampered)"
            }
        }
    }

    public let activeKeyID: String
    private let keys: [String: SymmetricKey]

    public init(activeKeyID: String, keys: [String: SymmetricKey]) throws {
        guard keys[activeKeyID] != nil else { throw Failure.unknownKey(activeKeyID) }
        self.activeKeyID = activeKeyID
        self.keys = keys
    }

    /// Parses `id:base64key,id:base64key` (each key 32 bytes), the form the environment holds.
    public static func parseKeyring(_ text: String) -> [String: SymmetricKey]? {
        var keys: [String: SymmetricKey] = [:]
        for item in text.split(separator: ",") {
            let parts = item.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, !parts[0].isEmpty, let raw = Data(base64Encoded: String(parts[1])), raw.count == 32 else { return nil }
            keys[String(parts[0])] = SymmetricKey(data: raw)
        }
        return keys.isEmpty ? nil : keys
    }

    public func seal(_ plaintext: Data, context: String) throws -> String {
        let box = try AES.GCM.seal(plaintext, using: keys[activeKeyID]!, authenticating: Data(context.utf8))
        return "v1:\(activeKeyID):\(box.combined!.base64EncodedString())"
    }

    /// Opens an envelope sealed for the same `context` (e.g. the row id), so a sealed value
    /// copied onto another row does not open there.
    public func open(_ envelope: String, context: String) throws -> Data {
        let parts = envelope.split(separator: ":", maxSplits: 2)
        guard parts.count == 3, parts[0] == "v1", let combined = Data(base64Encoded: String(parts[2])) else { throw Failure.malformedEnvelope }
        guard let key = keys[String(parts[1])] else { throw Failure.unknownKey(String(parts[1])) }
        do {
            return try AES.GCM.open(try AES.GCM.SealedBox(combined: combined), using: key, authenticating: Data(context.utf8))
        } catch {
            throw Failure.authenticationFailed
        }
    }

    public static func keyID(of envelope: String) -> String? {
        let parts = envelope.split(separator: ":", maxSplits: 2)
        return parts.count == 3 ? String(parts[1]) : nil
    }
}
