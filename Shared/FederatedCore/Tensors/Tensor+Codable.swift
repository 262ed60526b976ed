/// Persisted form: `{"dtype": "F32", "shape": [2, 3], "data": "<base64 of little-endian bytes>"}`.
/// Bytes rather than numbers so that values (NaN payloads, -0) survive exactly and the encoding
/// stays about 1.33× the tensor's size instead of ~10× for decimal text.
extension Tensor: Codable {
    private enum CodingKeys: String, CodingKey { case dtype, shape, data }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let dtype = try container.decode(DType.self, forKey: .dtype)
        let shape = try container.decode([Int].self, forKey: .shape)
        let text = try container.decode(String.self, forKey: .data)
        guard let bytes = Base64.decode(text) else {
            throw DecodingError.dataCorruptedError(
                forKey: .data, in: container, debugDescription: "tensor data is not valid base64")
        }
        let count = try Tensor.elementCount(of: shape)
        guard bytes.count == count * dtype.byteSize else {
            throw DecodingError.dataCorruptedError(
                forKey: .data, in: container,
                debugDescription: "shape \(shape) of \(dtype) needs \(count * dtype.byteSize) bytes, data has \(bytes.count)")
        }
        let storage = bytes.withUnsafeBytes { Tensor.storage(littleEndian: $0, dtype: dtype, count: count) }
        self.init(unchecked: shape, storage: storage)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(dtype, forKey: .dtype)
        try container.encode(shape, forKey: .shape)
        try container.encode(withUnsafeLittleEndianBytes(Base64.encode), forKey: .data)
    }
}
