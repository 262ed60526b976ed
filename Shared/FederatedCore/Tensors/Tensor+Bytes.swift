/// Moving tensor values to and from little-endian byte buffers (safetensors data, persisted
/// state). The host is little-endian (see `FederatedCore`), so these are plain copies.
extension Tensor {
    /// Calls `body` with the values as little-endian bytes (the host order; see `FederatedCore`).
    public func withUnsafeLittleEndianBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch storage {
        case .float32(let values): try values.withUnsafeBytes(body)
        case .float64(let values): try values.withUnsafeBytes(body)
        case .float16(let bits), .bfloat16(let bits): try bits.withUnsafeBytes(body)
        }
    }

    /// Copies `count` little-endian elements of `dtype` out of `bytes` (any alignment).
    static func storage(littleEndian bytes: UnsafeRawBufferPointer, dtype: DType, count: Int) -> Storage {
        precondition(bytes.count == count * dtype.byteSize)
        func copy<T>(_: T.Type) -> [T] {
            [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                if count > 0 { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: bytes) }
                initialized = count
            }
        }
        switch dtype {
        case .float32: return .float32(copy(Float.self))
        case .float64: return .float64(copy(Double.self))
        case .float16: return .float16(copy(UInt16.self))
        case .bfloat16: return .bfloat16(copy(UInt16.self))
        }
    }

    /// F32 values copied out of `bytes`, plus the index of the first NaN or infinity. Copies and
    /// scans block by block, so each block is checked while it is still in L1: the scan costs
    /// almost nothing on top of the copy (unlike a second pass over a model larger than cache).
    static func float32(littleEndian bytes: UnsafeRawBufferPointer, count: Int) -> (values: [Float], firstNonFinite: Int?) {
        precondition(bytes.count == count * 4)
        var firstNonFinite: Int?
        let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            let block = 4096
            var start = 0
            while start < count {
                let end = min(start + block, count)
                let destination = UnsafeMutableBufferPointer(rebasing: buffer[start..<end])
                UnsafeMutableRawBufferPointer(destination).copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[start * 4..<end * 4]))
                if firstNonFinite == nil, let index = Kernels.firstNonFinite(UnsafeBufferPointer(destination)) {
                    firstNonFinite = start + index
                }
                start = end
            }
            initialized = count
        }
        return (values, firstNonFinite)
    }
}
