import Crypto
import CumulusKit
import Foundation
import NIOCore

/// Random bearer secrets (refresh tokens, setup and enrolment tokens, API keys) and how they are
/// stored: only a SHA-256 of the secret, which is enough because the secrets are 256-bit random.
enum Secrets {
    static func make(prefix: String) -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = UInt8.random(in: .min ... .max, using: &generator) }
        return prefix + Data(bytes).base64URLEncodedString()
    }

    /// The stored form (a `bytea` parameter).
    static func digest(_ secret: String) -> ByteBuffer {
        ByteBuffer(bytes: SHA256.hash(data: Data(secret.utf8)))
    }
}
