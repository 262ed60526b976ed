import PropertyBased
import Testing

@testable import FederatedCore

/// Malformed input must produce the precise typed error, never a trap or a wrong model.
@Suite("malformed safetensors")
struct SafetensorsMalformedTests {
    /// A safetensors buffer with the given header text and data bytes; `declaredLength`
    /// overrides the 8-byte length prefix.
    func file(_ header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> [UInt8] {
        let headerBytes = Array(header.utf8)
        var bytes: [UInt8] = []
        withUnsafeBytes(of: (declaredLength ?? UInt64(headerBytes.count)).littleEndian) { bytes.append(contentsOf: $0) }
        return bytes + headerBytes + data
    }

    func entry(_ name: String, _ dtype: String = "F32", shape: [Int], offsets: [Int]) -> String {
        "\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":\(offsets)}"
    }

    func expectError(_ expected: SafetensorsError, _ bytes: [UInt8], reader: SafetensorsReader = SafetensorsReader(), sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(throws: expected, sourceLocation: sourceLocation) { try reader.read(bytes) }
    }

    @Test("fewer than 8 bytes", arguments: 0..<8)
    func truncatedPrefix(length: Int) {
        expectError(.truncated(byteCount: length), Array(repeating: 0, count: length))
    }

    @Test("every strict prefix of a valid file is refused")
    func everyPrefixIsRefused() async {
        await propertyCheck(count: 30, input: Gen.uint64(), Gen.int(in: 1...4)) { seed, count in
            var random = RandomModels(seed: seed)
            let bytes = try SafetensorsWriter().write(random.collection(count: count))
            for length in 0..<bytes.count {
                #expect(throws: SafetensorsError.self, "prefix of \(length) of \(bytes.count) bytes") {
                    try SafetensorsReader().read(Array(bytes[..<length]))
                }
            }
        }
    }

    @Test("header length beyond the buffer")
    func headerBeyondBuffer() {
        let header = "{\(entry("a", shape: [1], offsets: [0, 4]))}"
        let bytes = file(header, data: [0, 0, 0, 0], declaredLength: UInt64(header.utf8.count + 100))
        expectError(.headerBeyondBuffer(declared: UInt64(header.utf8.count + 100), available: header.utf8.count + 4), bytes)
        // Lengths near the top of the 64-bit range must not overflow the bounds arithmetic.
        let unlimited = SafetensorsReader(maximumHeaderSize: .max)
        expectError(.headerBeyondBuffer(declared: UInt64(Int.max), available: 0), file("", declaredLength: UInt64(Int.max)), reader: unlimited)
        expectError(.headerTooLarge(declared: .max, maximum: .max), file("", declaredLength: .max), reader: unlimited)
    }

    @Test("header larger than the maximum, default and configured")
    func oversizedHeader() throws {
        let declared = UInt64(SafetensorsReader.defaultMaximumHeaderSize) + 1
        expectError(.headerTooLarge(declared: declared, maximum: SafetensorsReader.defaultMaximumHeaderSize), file("{}", declaredLength: declared))

        let valid = try SafetensorsWriter().write(TensorCollection([("w", Tensor.zeros(shape: [2]))]))
        let length = Int(try SafetensorsReader().readHeader(valid).dataStart - 8)
        expectError(.headerTooLarge(declared: UInt64(length), maximum: length - 1), valid, reader: SafetensorsReader(maximumHeaderSize: length - 1))
        #expect(throws: Never.self) { try SafetensorsReader(maximumHeaderSize: length).read(valid) }
    }

    @Test("offsets past the data section")
    func offsetsOutOfRange() {
        expectError(.offsetsOutOfBounds(tensor: "a", begin: 0, end: 8, dataSize: 4),
                    file("{\(entry("a", shape: [2], offsets: [0, 8]))}", data: [UInt8](repeating: 0, count: 4)))
    }

    @Test("offsets that end before they begin")
    func reversedOffsets() {
        expectError(.invalidOffsets(tensor: "a", begin: 8, end: 0),
                    file("{\(entry("a", shape: [2], offsets: [8, 0]))}", data: [UInt8](repeating: 0, count: 8)))
    }

    @Test("overlapping tensors")
    func overlapping() {
        let header = "{\(entry("a", shape: [2], offsets: [0, 8])),\(entry("b", shape: [2], offsets: [4, 12]))}"
        expectError(.overlappingTensors(tensor: "b", previous: "a", begin: 4, previousEnd: 8), file(header, data: [UInt8](repeating: 0, count: 12)))
    }

    @Test("a gap between tensors, and bytes after the last one")
    func gapsAndTrailingBytes() {
        let gap = "{\(entry("a", shape: [2], offsets: [0, 8])),\(entry("b", shape: [2], offsets: [12, 20]))}"
        expectError(.uncoveredBytes(range: 8..<12, before: "b"), file(gap, data: [UInt8](repeating: 0, count: 20)))
        let leading = "{\(entry("a", shape: [2], offsets: [4, 12]))}"
        expectError(.uncoveredBytes(range: 0..<4, before: "a"), file(leading, data: [UInt8](repeating: 0, count: 12)))
        let trailing = "{\(entry("a", shape: [2], offsets: [0, 8]))}"
        expectError(.uncoveredBytes(range: 8..<12, before: nil), file(trailing, data: [UInt8](repeating: 0, count: 12)))
    }

    @Test("a shape that does not match the byte length", arguments: DType.allCases)
    func wrongShape(dtype: DType) throws {
        let header = "{\(entry("w", dtype.safetensorsName, shape: [3, 2], offsets: [0, 8]))}"
        let error = SafetensorsError.byteLengthMismatch(tensor: "w", dtype: dtype, shape: [3, 2], expected: 6 * dtype.byteSize, found: 8)
        expectError(error, file(header, data: [UInt8](repeating: 0, count: 8)))
        #expect(error.description.contains("'w'") && error.description.contains("[3, 2]") && error.description.contains("\(6 * dtype.byteSize) bytes"))
    }

    @Test("bad JSON reports the byte where parsing failed")
    func badJSON() {
        let cases = [
            "{\"a\":{\"dtype\":\"F32\",}}",   // trailing comma
            "{\"a\" {}}",                      // missing colon
            "{\"a\":{\"dtype\":\"F32\"",       // unterminated
            "{\"a\":tru}",                     // bad literal
            "{\"a\":01}",                      // leading zero
            "{\"a\":\"\\x\"}",                 // bad escape
            "{} x",                            // trailing garbage
        ]
        for header in cases {
            do {
                _ = try SafetensorsReader().read(file(header))
                Issue.record("accepted \(header)")
            } catch {
                guard case .invalidJSON(let offset, _) = error else {
                    Issue.record("\(header): expected invalidJSON, got \(error)")
                    continue
                }
                #expect((0...header.utf8.count).contains(offset), "\(header): offset \(offset)")
            }
        }
        // The offset points at the offending byte: here the '}' after a trailing comma.
        let header = "{\"a\":{\"dtype\":\"F32\",}}"
        let position = Array(header.utf8).firstIndex(of: UInt8(ascii: "}"))!
        #expect(throws: SafetensorsError.invalidJSON(offset: position, reason: "expected a string key, found '}'")) {
            try SafetensorsReader().read(file(header))
        }
    }

    @Test("structural problems are named precisely")
    func structuralErrors() {
        let data4 = [UInt8](repeating: 0, count: 4)
        expectError(.headerNotObject(found: "an array"), file("[1,2]"))
        expectError(.duplicateTensorName("a"), file("{\(entry("a", shape: [1], offsets: [0, 4])),\(entry("a", shape: [1], offsets: [0, 4]))}", data: data4))
        expectError(.missingField(tensor: "a", field: "data_offsets"), file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", data: data4))
        expectError(.missingField(tensor: "a", field: "dtype"), file("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", data: data4))
        expectError(.invalidField(tensor: "a", field: "shape", expected: "an array of non-negative integers", found: "an element that is the number -1"),
                    file("{\(entry("a", shape: [-1], offsets: [0, 4]))}", data: data4))
        expectError(.invalidField(tensor: "a", field: "shape", expected: "an array of non-negative integers", found: "an element that is the number 1.0"),
                    file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[0,4]}}", data: data4))
        expectError(.invalidField(tensor: "a", field: "shape", expected: "an array of non-negative integers", found: "the string \"x\""),
                    file("{\"a\":{\"dtype\":\"F32\",\"shape\":\"x\",\"data_offsets\":[0,4]}}", data: data4))
        expectError(.invalidField(tensor: "a", field: "data_offsets", expected: "an array of two non-negative integers", found: "3 integers"),
                    file("{\(entry("a", shape: [1], offsets: [0, 4, 4]))}", data: data4))
        expectError(.invalidField(tensor: "a", field: "dtype", expected: "a string such as \"F32\"", found: "the number 32"),
                    file("{\"a\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}", data: data4))
        expectError(.unsupportedDType(tensor: "a", dtype: "I64"), file("{\(entry("a", "I64", shape: [1], offsets: [0, 8]))}", data: data4 + data4))
        expectError(.unsupportedDType(tensor: "a", dtype: "F33"), file("{\(entry("a", "F33", shape: [1], offsets: [0, 4]))}", data: data4))
        expectError(.invalidMetadata(key: "k", reason: "value must be a string, found the number 1"), file("{\"__metadata__\":{\"k\":1}}"))
        expectError(.invalidMetadata(key: nil, reason: "must be an object of strings, found an array"), file("{\"__metadata__\":[]}"))
        expectError(.shapeOverflow(tensor: "a", shape: [Int.max, 2]), file("{\(entry("a", shape: [Int.max, 2], offsets: [0, 4]))}", data: data4))
    }

    @Test("hostile headers: deep nesting and invalid UTF-8")
    func hostileHeaders() {
        let depth = HeaderJSON.maximumDepth + 10
        let nested = "{\"a\":" + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
        do {
            _ = try SafetensorsReader().read(file(nested))
            Issue.record("accepted \(depth) levels of nesting")
        } catch {
            guard case .invalidJSON(_, let reason) = error else { Issue.record("got \(error)"); return }
            #expect(reason.contains("nesting"))
        }
        var bytes = file("{\"a#\":{}}")
        bytes[8 + 3] = 0xFF  // replace the placeholder '#' with a byte that is never valid UTF-8
        expectError(.headerNotUTF8(offset: 1), bytes)
    }

    @Test("NaN and infinity are refused where finiteness is required", arguments: DType.allCases)
    func nonFiniteWhenRequired(dtype: DType) async {
        await propertyCheck(count: 20, input: Gen.int(in: 1...50), Gen.bool) { count, useInfinity in
            var random = RandomModels(seed: UInt64(count))
            var values = random.normalFloats(count: count)
            let position = count / 2
            values[position] = useInfinity ? -.infinity : .nan
            let tensor = Tensor(unchecked: [count], storage: Tensor.storage(for: values, as: dtype))
            let bytes = try SafetensorsWriter().write(TensorCollection([("ok", Tensor.zeros(shape: [2])), ("update", tensor)]))
            #expect(throws: Never.self) { try SafetensorsReader().read(bytes) }
            do {
                _ = try SafetensorsReader(requireFinite: true).read(bytes)
                Issue.record("accepted a non-finite \(dtype)")
            } catch let error as SafetensorsError {
                guard case .nonFinite(let name, let index, let value) = error else { Issue.record("got \(error)"); return }
                #expect(name == "update" && index == position && !value.isFinite && value.isNaN == !useInfinity)
            }
        }
    }

    @Test("the scan-while-copying reader finds the first bad value in any block of a large tensor")
    func largeTensorScan() async throws {
        let count = 50_000  // a dozen 4096-element blocks
        var random = RandomModels(seed: 99)
        let clean = random.normalFloats(count: count)
        await propertyCheck(count: 25, input: Gen.int(in: 0..<count), Gen.int(in: 0..<count)) { first, second in
            var values = clean
            values[first] = .nan
            values[second] = .infinity
            let bytes = try SafetensorsWriter().write(TensorCollection([("big", Tensor(shape: [count], values: values))]))
            #expect(throws: SafetensorsError.self) { try SafetensorsReader(requireFinite: true).read(bytes) }
            do {
                _ = try SafetensorsReader(requireFinite: true).read(bytes)
            } catch let error as SafetensorsError {
                guard case .nonFinite(_, let index, _) = error else { Issue.record("got \(error)"); return }
                #expect(index == min(first, second))
            }
            let read = try SafetensorsReader().read(bytes)
            #expect(read["big"] == (try Tensor(shape: [count], values: values)))
        }
    }

    @Test("random corruption never traps, and whatever still reads round-trips")
    func corruption() async {
        await propertyCheck(count: 200, input: Gen.uint64(), Gen.int(in: 1...8)) { seed, flips in
            var random = RandomModels(seed: seed)
            var bytes = try SafetensorsWriter().write(random.collection(count: 3))
            for _ in 0..<flips {
                bytes[random.generator.next(below: bytes.count)] = UInt8(truncatingIfNeeded: random.generator.next())
            }
            guard let model = try? SafetensorsReader().read(bytes) else { return }
            #expect(try SafetensorsReader().read(SafetensorsWriter().write(model)) == model)
        }
    }
}
