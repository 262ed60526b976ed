import Crypto
import Foundation

/// Expands a 256-bit key into a mask vector of 32-bit words: the ChaCha20 keystream.
///
/// The stream is cut into chunks of 16 384 words (64 KiB, cache-sized); chunk c is the ChaCha20
/// keystream (RFC 8439, block counter starting at 1) under `key` with the 96-bit nonce
/// 0⁴‖c (c big-endian), read as little-endian words. swift-crypto exposes ChaCha20 only inside
/// ChaCha20-Poly1305, whose ciphertext of an all-zero plaintext is exactly that keystream (the
/// Poly1305 tag is discarded); the test suite checks this against RFC 8439's vectors.
/// Any ChaCha20 implementation reproduces these masks.
enum MaskExpander {
    static let wordsPerChunk = 16_384
    private static let zeros = [UInt8](repeating: 0, count: 4 * wordsPerChunk)

    /// vector ← vector + mask (or − mask when `subtract`), modulo 2^32.
    static func apply(key: SymmetricKey, to vector: inout [UInt32], subtract: Bool) throws(SecAggError) {
        var chunk: UInt64 = 0
        var offset = 0
        while offset < vector.count {
            let count = min(wordsPerChunk, vector.count - offset)
            let keystream = try keystream(key: key, chunk: chunk, bytes: 4 * count)
            keystream.withUnsafeBytes { raw in
                vector.withUnsafeMutableBufferPointer { words in
                    if subtract {
                        for k in 0..<count {
                            words[offset + k] &-= UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * k, as: UInt32.self))
                        }
                    } else {
                        for k in 0..<count {
                            words[offset + k] &+= UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * k, as: UInt32.self))
                        }
                    }
                }
            }
            offset += count
            chunk += 1
        }
    }

    /// The mask itself (for tests and for documentation by example).
    static func mask(key: SymmetricKey, count: Int) throws(SecAggError) -> [UInt32] {
        var vector = [UInt32](repeating: 0, count: count)
        try apply(key: key, to: &vector, subtract: false)
        return vector
    }

    static func keystream(key: SymmetricKey, chunk: UInt64, bytes: Int) throws(SecAggError) -> Data {
        var nonce = [UInt8](repeating: 0, count: 12)
        for byte in 0..<8 { nonce[4 + byte] = UInt8(truncatingIfNeeded: chunk >> UInt64(8 * (7 - byte))) }
        return try crypto {
            try ChaChaPoly.seal(zeros[0..<bytes], using: key, nonce: ChaChaPoly.Nonce(data: nonce)).ciphertext
        }
    }
}
