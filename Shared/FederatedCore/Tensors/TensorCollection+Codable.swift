/// Persisted form: `{"metadata": {...}, "tensors": [{"name": ..., "dtype": ..., "shape": ...,
/// "data": ...}, ...]}` — an array, so the order survives encoders that reorder object keys.
extension TensorCollection: Codable {
    private enum CodingKeys: String, CodingKey { case metadata, tensors }
    private enum EntryKeys: String, CodingKey { case name }

    private struct Entry: Codable {
        var name: String
        var tensor: Tensor

        init(name: String, tensor: Tensor) {
            self.name = name
            self.tensor = tensor
        }

        init(from decoder: any Decoder) throws {
            name = try decoder.container(keyedBy: EntryKeys.self).decode(String.self, forKey: .name)
            tensor = try Tensor(from: decoder)
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: EntryKeys.self)
            try container.encode(name, forKey: .name)
            try tensor.encode(to: encoder)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(metadata: try container.decodeIfPresent([String: String].self, forKey: .metadata) ?? [:])
        for entry in try container.decode([Entry].self, forKey: .tensors) {
            do {
                try insert(entry.tensor, named: entry.name)
            } catch {
                throw DecodingError.dataCorruptedError(
                    forKey: .tensors, in: container, debugDescription: error.description)
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(metadata, forKey: .metadata)
        try container.encode(map { Entry(name: $0.name, tensor: $0.tensor) }, forKey: .tensors)
    }
}
