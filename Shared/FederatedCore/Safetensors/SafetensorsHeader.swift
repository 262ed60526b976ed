/// A validated safetensors header: where each tensor's bytes are, and the metadata.
public struct SafetensorsHeader: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public let name: String
        public let dtype: DType
        public let shape: [Int]
        /// Byte range within the data section (which starts right after the header).
        public let dataOffsets: Range<Int>
    }

    /// Entries in data order (ascending offsets), which is also the order tensors are read in.
    public let entries: [Entry]
    public let metadata: [String: String]
    /// Offset of the data section in the whole buffer: 8 + header length.
    public let dataStart: Int
}

extension SafetensorsHeader {
    /// Interprets parsed header JSON and checks every entry against a data section of
    /// `dataSize` bytes: fields present and well-typed, supported dtypes, offsets in bounds,
    /// lengths matching shape × dtype, and the entries tiling the data section exactly.
    init(json: HeaderJSON, dataStart: Int, dataSize: Int) throws(SafetensorsError) {
        guard case .object(let members) = json else { throw .headerNotObject(found: json.summary) }
        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        for (name, value) in members {
            if name == "__metadata__" {
                metadata = try Self.metadata(from: value)
            } else {
                entries.append(try Self.entry(name: name, value: value, dataSize: dataSize))
            }
        }
        // Sort as the Rust reader does (by offsets), then require exact tiling.
        entries.sort { ($0.dataOffsets.lowerBound, $0.dataOffsets.upperBound) < ($1.dataOffsets.lowerBound, $1.dataOffsets.upperBound) }
        var cursor = 0
        var previous: Entry?
        for entry in entries {
            if entry.dataOffsets.lowerBound < cursor, let previous {
                throw .overlappingTensors(tensor: entry.name, previous: previous.name, begin: entry.dataOffsets.lowerBound, previousEnd: cursor)
            }
            if entry.dataOffsets.lowerBound > cursor {
                throw .uncoveredBytes(range: cursor..<entry.dataOffsets.lowerBound, before: entry.name)
            }
            cursor = entry.dataOffsets.upperBound
            previous = entry
        }
        if cursor < dataSize { throw .uncoveredBytes(range: cursor..<dataSize, before: nil) }
        self.entries = entries
        self.metadata = metadata
        self.dataStart = dataStart
    }

    private static func metadata(from value: HeaderJSON) throws(SafetensorsError) -> [String: String] {
        guard case .object(let members) = value else {
            throw .invalidMetadata(key: nil, reason: "must be an object of strings, found \(value.summary)")
        }
        var metadata: [String: String] = [:]
        for (key, value) in members {
            guard case .string(let text) = value else {
                throw .invalidMetadata(key: key, reason: "value must be a string, found \(value.summary)")
            }
            metadata[key] = text
        }
        return metadata
    }

    private static func entry(name: String, value: HeaderJSON, dataSize: Int) throws(SafetensorsError) -> Entry {
        guard case .object(let fields) = value else {
            throw .invalidField(tensor: name, field: "(entry)", expected: "an object with dtype, shape and data_offsets", found: value.summary)
        }
        func field(_ key: String) throws(SafetensorsError) -> HeaderJSON {
            // Unknown fields are ignored, as the Rust reader ignores them.
            guard let found = fields.first(where: { $0.key == key }) else { throw .missingField(tensor: name, field: key) }
            return found.value
        }

        guard case .string(let dtypeName) = try field("dtype") else {
            throw .invalidField(tensor: name, field: "dtype", expected: "a string such as \"F32\"", found: try field("dtype").summary)
        }
        guard let dtype = DType(safetensorsName: dtypeName) else { throw .unsupportedDType(tensor: name, dtype: dtypeName) }

        let shape = try integers(try field("shape"), tensor: name, field: "shape", expected: "an array of non-negative integers")
        let offsets = try integers(try field("data_offsets"), tensor: name, field: "data_offsets", expected: "an array of two non-negative integers")
        guard offsets.count == 2 else {
            throw .invalidField(tensor: name, field: "data_offsets", expected: "an array of two non-negative integers", found: "\(offsets.count) integers")
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin <= end else { throw .invalidOffsets(tensor: name, begin: begin, end: end) }
        guard end <= dataSize else { throw .offsetsOutOfBounds(tensor: name, begin: begin, end: end, dataSize: dataSize) }

        let count: Int
        do {
            count = try Tensor.elementCount(of: shape)
        } catch {
            throw .shapeOverflow(tensor: name, shape: shape)
        }
        let (expected, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow else { throw .shapeOverflow(tensor: name, shape: shape) }
        guard expected == end - begin else {
            throw .byteLengthMismatch(tensor: name, dtype: dtype, shape: shape, expected: expected, found: end - begin)
        }
        return Entry(name: name, dtype: dtype, shape: shape, dataOffsets: begin..<end)
    }

    /// An array of JSON integers that fit in `Int` and are ≥ 0 (no fractions or exponents, as
    /// serde refuses them for `usize`).
    private static func integers(_ value: HeaderJSON, tensor: String, field: String, expected: String) throws(SafetensorsError) -> [Int] {
        guard case .array(let elements) = value else {
            throw .invalidField(tensor: tensor, field: field, expected: expected, found: value.summary)
        }
        var result: [Int] = []
        result.reserveCapacity(elements.count)
        for element in elements {
            guard case .number(let text) = element, let integer = Int(text), integer >= 0 else {
                throw .invalidField(tensor: tensor, field: field, expected: expected, found: "an element that is \(element.summary)")
            }
            result.append(integer)
        }
        return result
    }
}
