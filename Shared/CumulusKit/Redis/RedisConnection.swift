import CHiredis
import Dispatch
import Foundation

/// Something that runs Redis commands: one connection, or a pool that lends one per command.
public protocol RedisCommandRunner: Sendable {
    func send(_ arguments: [String]) async throws -> RedisReply
}

/// One blocking hiredis connection, driven from its own serial dispatch queue so that no
/// blocking socket call ever runs on a NIO event loop or on Swift's cooperative pool.
/// It connects lazily and reconnects on the next command after the connection broke.
public final class RedisConnection: RedisCommandRunner, @unchecked Sendable {
    // @unchecked: `context` is read and written only on `queue`, which is serial and owned by
    // this object, so there is never concurrent access to the hiredis context.
    private var context: UnsafeMutablePointer<redisContext>?
    private let queue: DispatchQueue
    public let url: RedisURL
    /// Socket timeout for every command; blocking reads must ask Redis to block for less.
    public let commandTimeout: Duration

    public init(url: RedisURL, commandTimeout: Duration = .seconds(5), label: String = "redis") {
        self.url = url
        self.commandTimeout = commandTimeout
        self.queue = DispatchQueue(label: "cumulus.\(label).\(url.host):\(url.port)")
    }

    deinit {
        if let context { redisFree(context) }
    }

    public func send(_ arguments: [String]) async throws -> RedisReply {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try self.executeOnQueue(arguments) })
            }
        }
    }

    /// Closes the socket; a later command opens a new one.
    public func close() async {
        await withCheckedContinuation { continuation in
            queue.async {
                if let context = self.context { redisFree(context) }
                self.context = nil
                continuation.resume()
            }
        }
    }

    private func connectedContext() throws -> UnsafeMutablePointer<redisContext> {
        if let context { return context }
        let timeout = Self.timeval(commandTimeout)
        guard let fresh = redisConnectWithTimeout(url.host, Int32(url.port), timeout) else {
            throw RedisError.connection("could not allocate a connection to \(url.host):\(url.port)")
        }
        if fresh.pointee.err != 0 {
            let reason = Self.errorText(fresh)
            redisFree(fresh)
            throw RedisError.connection("\(url.host):\(url.port): \(reason)")
        }
        redisSetTimeout(fresh, timeout)
        if url.database != 0 {
            do {
                _ = try command(["SELECT", String(url.database)], on: fresh)
            } catch RedisError.connection(let why) {
                throw RedisError.connection(why)  // `command` has already freed the broken context
            } catch {
                redisFree(fresh)
                throw error
            }
        }
        context = fresh
        return fresh
    }

    private func executeOnQueue(_ arguments: [String]) throws -> RedisReply {
        try command(arguments, on: try connectedContext())
    }

    private func command(_ arguments: [String], on context: UnsafeMutablePointer<redisContext>) throws -> RedisReply {
        let buffers = arguments.map { Array($0.utf8) }
        let pointers: [UnsafeMutablePointer<CChar>] = buffers.map { bytes in
            let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: max(bytes.count, 1))
            bytes.withUnsafeBufferPointer { source in
                source.withMemoryRebound(to: CChar.self) { chars in
                    if let base = chars.baseAddress { pointer.initialize(from: base, count: bytes.count) }
                }
            }
            return pointer
        }
        defer { pointers.forEach { $0.deallocate() } }
        var argv: [UnsafePointer<CChar>?] = pointers.map { UnsafePointer($0) }
        var lengths: [Int] = buffers.map(\.count)
        let raw = redisCommandArgv(context, Int32(argv.count), &argv, &lengths)
        guard let raw else {
            // A nil reply means the connection is unusable; drop it so the next call reconnects.
            let reason = Self.errorText(context)
            redisFree(context)
            self.context = nil
            throw RedisError.connection("\(url.host):\(url.port): \(reason)")
        }
        defer { freeReplyObject(raw) }
        let reply = Self.convert(raw.assumingMemoryBound(to: redisReply.self))
        if case .error(let message) = reply { throw RedisError.server(message) }
        return reply
    }

    static func convert(_ pointer: UnsafeMutablePointer<redisReply>) -> RedisReply {
        let reply = pointer.pointee
        switch reply.type {
        case REDIS_REPLY_STATUS: return .status(text(reply))
        case REDIS_REPLY_ERROR: return .error(text(reply))
        case REDIS_REPLY_INTEGER: return .integer(reply.integer)
        case REDIS_REPLY_NIL: return .null
        case REDIS_REPLY_STRING:
            guard let str = reply.str else { return .bulk([]) }
            return .bulk(Array(UnsafeRawBufferPointer(start: str, count: Int(reply.len))))
        case REDIS_REPLY_ARRAY:
            guard let elements = reply.element else { return .array([]) }
            return .array((0..<Int(reply.elements)).compactMap { index in elements[index].map(convert) })
        default:
            return .error("unsupported reply type \(reply.type)")
        }
    }

    static func text(_ reply: redisReply) -> String {
        guard let str = reply.str else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: str, count: Int(reply.len)), as: UTF8.self)
    }

    static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { bytes in
            String(decoding: bytes.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }

    static func timeval(_ duration: Duration) -> Glibc.timeval {
        let (seconds, attoseconds) = duration.components
        return Glibc.timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}
