/// Decodes the safetensors format from bytes (no file access: callers read or map the file).
///
/// Layout: an 8-byte little-endian header length `n`, `n` bytes of UTF-8 JSON, then the data
/// section. Checked: the length against the buffer and ``maximumHeaderSize``; the JSON (strict,
/// duplicate names refused); each entry's dtype, shape and offsets; that offsets tile the data
/// section with no gap, overlap or trailing byte; and, if ``requireFinite``, that no value is NaN
/// or infinite. Every failure is a ``SafetensorsError`` naming the tensor, field and numbers.
public struct SafetensorsReader: Sendable {
    /// The Rust implementation's limit.
    public static let defaultMaximumHeaderSize = 100_000_000

    public var maximumHeaderSize: Int
    /// Refuse NaN and infinity (e.g. for client updates about to be aggregated). Tensors read
    /// this way are marked ``Tensor/isKnownFinite``, so aggregation does not scan them again.
    public var requireFinite: Bool

    public init(maximumHeaderSize: Int = SafetensorsReader.defaultMaximumHeaderSize, requireFinite: Bool = false) {
        self.maximumHeaderSize = maximumHeaderSize
        self.requireFinite = requireFinite
    }

    public func read(_ bytes: [UInt8]) throws(SafetensorsError) -> TensorCollection {
        // `Array.withUnsafeBytes` is untyped-rethrows; carry the typed error out in a Result.
        try bytes.withUnsafeBytes { buffer in Result { () throws(SafetensorsError) in try read(buffer) } }.get()
    }

    /// Decodes every tensor, in data order, copying values out of `buffer`.
    public func read(_ buffer: UnsafeRawBufferPointer) throws(SafetensorsError) -> TensorCollection {
        let header = try readHeader(buffer)
        var collection = TensorCollection(metadata: header.metadata)
        for entry in header.entries {
            let bytes = UnsafeRawBufferPointer(rebasing: buffer[header.dataStart + entry.dataOffsets.lowerBound..<header.dataStart + entry.dataOffsets.upperBound])
            let count = entry.dataOffsets.count / entry.dtype.byteSize
            let tensor: Tensor
            if requireFinite && entry.dtype == .float32 {
                // The common case for client updates: scan while copying.
                let (values, bad) = Tensor.float32(littleEndian: bytes, count: count)
                if let bad { throw .nonFinite(tensor: entry.name, index: bad, value: Double(values[bad])) }
                tensor = Tensor(unchecked: entry.shape, storage: .float32(values), knownFinite: true)
            } else {
                let storage = Tensor.storage(littleEndian: bytes, dtype: entry.dtype, count: count)
                tensor = Tensor(unchecked: entry.shape, storage: storage, knownFinite: requireFinite)
                if requireFinite, let (index, value) = tensor.firstNonFinite() {
                    throw .nonFinite(tensor: entry.name, index: index, value: value)
                }
            }
            // Names were checked unique while parsing.
            collection.set(tensor, named: entry.name)
        }
        return collection
    }

    public func readHeader(_ bytes: [UInt8]) throws(SafetensorsError) -> SafetensorsHeader {
        try bytes.withUnsafeBytes { buffer in Result { () throws(SafetensorsError) in try readHeader(buffer) } }.get()
    }

    /// Parses and validates the header without copying any tensor data.
    public func readHeader(_ buffer: UnsafeRawBufferPointer) throws(SafetensorsError) -> SafetensorsHeader {
        guard buffer.count >= 8 else { throw .truncated(byteCount: buffer.count) }
        let declared = buffer.loadUnaligned(as: UInt64.self).littleEndian
        guard declared <= UInt64(max(0, maximumHeaderSize)) else {
            throw .headerTooLarge(declared: declared, maximum: maximumHeaderSize)
        }
        let headerLength = Int(declared)
        guard headerLength <= buffer.count - 8 else {
            throw .headerBeyondBuffer(declared: declared, available: buffer.count - 8)
        }
        let json = try HeaderJSON.parse(UnsafeRawBufferPointer(rebasing: buffer[8..<8 + headerLength]))
        return try SafetensorsHeader(json: json, dataStart: 8 + headerLength, dataSize: buffer.count - 8 - headerLength)
    }
}
