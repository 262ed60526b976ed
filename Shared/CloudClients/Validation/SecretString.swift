/// A secret value (password, private key, client secret, session token). It encodes and decodes
/// as a plain JSON string, so storage can encrypt it, but every description, debug description
/// and mirror shows "<redacted>", so printing, interpolating or dumping an input that holds one
/// cannot leak it into a log or an error message. Read it only where it is used: `revealed`.
public struct SecretString: Sendable, Hashable, Codable, ExpressibleByStringLiteral,
    CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable
{
    public let revealed: String

    public init(_ value: String) { self.revealed = value }
    public init(stringLiteral value: String) { self.revealed = value }

    public init(from decoder: any Decoder) throws {
        revealed = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(revealed)
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
