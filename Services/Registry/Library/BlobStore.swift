import Crypto
import Foundation

/// Where model files live, addressed by their SHA-256. The disk store is the embedded default;
/// an object store can implement the same protocol later.
protocol BlobStore: Sendable {
    /// Stores the bytes of `chunks` if their SHA-256 is `expected`; returns the size. A second
    /// put of the same content is a no-op.
    func put(expected: String, limit: Int, chunks: some AsyncSequence<[UInt8], any Error>) async throws -> Int
    func size(of hash: String) -> Int?
    /// Reads `range` of the blob.
    func read(_ hash: String, range: Range<Int>) throws -> Data
}

enum BlobError: Error, CustomStringConvertible {
    case hashMismatch(expected: String, actual: String)
    case tooLarge(limit: Int)
    case badHash(String)

    var description: String {
        switch self {
        case .hashMismatch(let expected, let actual): "the content's SHA-256 is \(actual), not \(expected)"
        case .tooLarge(let limit): "the body is larger than \(limit) bytes"
        case .badHash(let hash): "'\(hash)' is not a lowercase hex SHA-256"
        }
    }
}

/// `<root>/sha256/<first two hex digits>/<hash>`: written to a temporary file, synced, then
/// renamed into place, so a reader never sees half a blob and a crash leaves none.
struct DiskBlobStore: BlobStore {
    let root: URL

    static func isHash(_ text: String) -> Bool { text.count == 64 && text.allSatisfy { $0.isHexDigit && !$0.isUppercase } }

    func path(_ hash: String) -> URL { root.appending(path: "sha256/\(hash.prefix(2))/\(hash)") }

    func put(expected: String, limit: Int, chunks: some AsyncSequence<[UInt8], any Error>) async throws -> Int {
        guard Self.isHash(expected) else { throw BlobError.badHash(expected) }
        let target = path(expected)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = root.appending(path: "tmp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        let handle = try FileHandle(forWritingTo: temporary)
        var hasher = SHA256()
        var size = 0
        do {
            for try await chunk in chunks {
                size += chunk.count
                guard size <= limit else { throw BlobError.tooLarge(limit: limit) }
                hasher.update(data: chunk)
                try handle.write(contentsOf: chunk)
            }
            try handle.synchronize()
            try handle.close()
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        let actual = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        guard actual == expected else {
            try? FileManager.default.removeItem(at: temporary)
            throw BlobError.hashMismatch(expected: expected, actual: actual)
        }
        // rename(2) is atomic; the same content arriving twice simply lands twice in one place.
        guard rename(temporary.path, target.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot store \(expected): \(reason)"])
        }
        return size
    }

    func size(of hash: String) -> Int? {
        guard Self.isHash(hash), let attributes = try? FileManager.default.attributesOfItem(atPath: path(hash).path) else { return nil }
        return (attributes[.size] as? NSNumber)?.intValue
    }

    func read(_ hash: String, range: Range<Int>) throws -> Data {
        let handle = try FileHandle(forReadingFrom: path(hash))
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(range.lowerBound))
        return try handle.read(upToCount: range.count) ?? Data()
    }
}
