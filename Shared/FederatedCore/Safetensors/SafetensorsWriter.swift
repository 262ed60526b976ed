/// Encodes a ``TensorCollection`` in the safetensors format, byte for byte as the reference Rust
/// implementation (Python `safetensors` ≥ 0.4) writes it:
/// - tensors ordered by dtype, widest first (F64, F32, BF16, F16), then by name compared as
///   UTF-8 bytes; data laid out contiguously in that order;
/// - compact JSON (`{"__metadata__":{...},"name":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},...}`),
///   strings escaped as serde_json escapes them;
/// - the header padded with spaces to a multiple of 8 bytes.
///
/// One deliberate difference: Rust keeps `__metadata__` in a `HashMap`, so with two or more
/// metadata keys its key order varies from run to run. Here metadata keys are sorted, so output
/// is deterministic (and equal to Rust's whenever there is at most one key).
public struct SafetensorsWriter: Sendable {
    public init() {}

    public func write(_ collection: TensorCollection) throws(SafetensorsError) -> [UInt8] {
        if collection["__metadata__"] != nil { throw .reservedTensorName("__metadata__") }
        let ordered = collection.sorted { lhs, rhs in
            if lhs.tensor.dtype != rhs.tensor.dtype {
                return lhs.tensor.dtype.safetensorsRank > rhs.tensor.dtype.safetensorsRank
            }
            return lhs.name.utf8.lexicographicallyPrecedes(rhs.name.utf8)
        }

        var header: [UInt8] = []
        header.append(UInt8(ascii: "{"))
        var first = true
        if !collection.metadata.isEmpty {
            Self.appendString("__metadata__", to: &header)
            header.append(contentsOf: ":{".utf8)
            let keys = collection.metadata.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (index, key) in keys.enumerated() {
                if index > 0 { header.append(UInt8(ascii: ",")) }
                Self.appendString(key, to: &header)
                header.append(UInt8(ascii: ":"))
                Self.appendString(collection.metadata[key]!, to: &header)
            }
            header.append(UInt8(ascii: "}"))
            first = false
        }
        var offset = 0
        for (name, tensor) in ordered {
            if !first { header.append(UInt8(ascii: ",")) }
            first = false
            Self.appendString(name, to: &header)
            header.append(contentsOf: ":{\"dtype\":\"\(tensor.dtype.safetensorsName)\",\"shape\":[".utf8)
            header.append(contentsOf: tensor.shape.map(String.init).joined(separator: ",").utf8)
            header.append(contentsOf: "],\"data_offsets\":[\(offset),\(offset + tensor.byteCount)]}".utf8)
            offset += tensor.byteCount
        }
        header.append(UInt8(ascii: "}"))
        while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }

        var output: [UInt8] = []
        output.reserveCapacity(8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { output.append(contentsOf: $0) }
        output.append(contentsOf: header)
        for (_, tensor) in ordered {
            tensor.withUnsafeLittleEndianBytes { output.append(contentsOf: $0) }
        }
        return output
    }

    /// A JSON string literal exactly as serde_json writes it: `"` and `\` escaped, control
    /// characters as `\b \t \n \f \r` or `\u00XX` (lower-case hex), everything else — `/`, DEL,
    /// non-ASCII — verbatim UTF-8.
    static func appendString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        let hex = Array("0123456789abcdef".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): output.append(contentsOf: "\\\\".utf8)
            case 0x08: output.append(contentsOf: "\\b".utf8)
            case 0x09: output.append(contentsOf: "\\t".utf8)
            case 0x0A: output.append(contentsOf: "\\n".utf8)
            case 0x0C: output.append(contentsOf: "\\f".utf8)
            case 0x0D: output.append(contentsOf: "\\r".utf8)
            case 0..<0x20: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
