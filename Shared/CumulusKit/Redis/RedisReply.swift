/// A reply from Redis, decoded from hiredis's reply tree into plain Swift values.
public indirect enum RedisReply: Sendable, Equatable {
    case status(String)
    case error(String)
    case integer(Int64)
    case bulk([UInt8])
    case null
    case array([RedisReply])

    public var string: String? {
        switch self {
        case .status(let text): text
        case .bulk(let bytes): String(decoding: bytes, as: UTF8.self)
        case .integer(let value): String(value)
        default: nil
        }
    }

    public var array: [RedisReply]? {
        if case .array(let values) = self { return values }
        return nil
    }

    public var integer: Int64? {
        switch self {
        case .integer(let value): value
        case .bulk, .status: string.flatMap { Int64($0) }
        default: nil
        }
    }

    public var isNull: Bool { self == .null }
}

public enum RedisError: Error, CustomStringConvertible, Equatable {
    /// Could not reach Redis, or the connection broke; the next command reconnects.
    case connection(String)
    /// Redis answered with an error reply (e.g. `WRONGTYPE …`).
    case server(String)
    /// The reply did not have the shape the command promises.
    case unexpectedReply(command: String, reply: String)

    public var description: String {
        switch self {
        case .connection(let why): "redis connection: \(why)"
        case .server(let message): "redis: \(message)"
        case .unexpectedReply(let command, let reply): "redis \(command): unexpected reply \(reply)"
        }
    }
}
