import Foundation
import PropertyBased
import Testing

@testable import FederatedCore

@Suite("safetensors round trips")
struct SafetensorsRoundTripTests {
    @Test("write → read gives back every name, shape, dtype, bit and metadata entry")
    func writeThenRead() async {
        await propertyCheck(input: Gen.uint64(), Gen.int(in: 0...8)) { seed, count in
            var random = RandomModels(seed: seed)
            var model = random.collection(count: count)
            if count % 3 == 1 { model.metadata = ["format": "pt", "note": "ünïcode \"quoted\"\n"] }
            let bytes = try SafetensorsWriter().write(model)
            let header = try SafetensorsReader().readHeader(bytes)
            #expect(header.dataStart % 8 == 0, "header padded to a multiple of 8")
            let read = try SafetensorsReader().read(bytes)
            #expect(read.metadata == model.metadata)
            #expect(read.count == model.count)
            for (name, tensor) in model {
                #expect(read[name] == tensor, "\(name)")
            }
            // Reading normalises the order, so a second write is identical.
            #expect(try SafetensorsWriter().write(read) == bytes)
        }
    }

    @Test("files we write load in Python's safetensors with the same bits, and Python rewrites them identically")
    func pythonReadsOurFiles() throws {
        var random = RandomModels(seed: 0x5AFE_7E45)
        var model = random.collection(count: 10)
        try model.insert(Tensor(shape: [0, 4], values: []), named: "empty")
        try model.insert(Tensor(shape: [], values: [3.5]), named: "scalar")
        model.metadata = ["format": "pt"]  // one key: Rust's key order is then fixed too

        let file = TemporaryFile(suffix: ".safetensors")
        try Data(SafetensorsWriter().write(model)).write(to: file.url)
        let output = try Python.run(script: "check_safetensors.py", arguments: [file.url.path])

        struct Report: Decodable {
            struct Entry: Decodable { let dtype: String; let shape: [Int]; let bits: [String] }
            let metadata: [String: String]
            let order: [String]
            let reserialized_identical: Bool
            let tensors: [String: Entry]
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(output.utf8))
        #expect(report.reserialized_identical, "Python's writer produces our bytes exactly")
        #expect(report.metadata == model.metadata)
        let dataOrder = try SafetensorsReader().read(SafetensorsWriter().write(model)).names
        #expect(report.order == dataOrder)
        #expect(report.tensors.count == model.count)
        for (name, tensor) in model {
            let entry = try #require(report.tensors[name], "Python lacks \(name)")
            #expect(entry.dtype == tensor.dtype.safetensorsName, "\(name)")
            #expect(entry.shape == tensor.shape, "\(name)")
            #expect(entry.bits == hexBits(of: tensor), "\(name)")
        }
    }

    @Test("header JSON escapes strings exactly as serde_json does")
    func stringEscaping() throws {
        var output: [UInt8] = []
        let text = "a\"b\\c/d\u{08}\u{0C}\n\r\t\u{01}\u{1F}\u{7F}é😀"
        SafetensorsWriter.appendString(text, to: &output)
        // Our parser reads it back, and Foundation (a third implementation) agrees.
        let parsed = try output.withUnsafeBytes { try HeaderJSON.parse($0) }
        #expect(parsed == .string(text))
        #expect(try JSONSerialization.jsonObject(with: Data(output), options: .fragmentsAllowed) as? String == text)
        // serde_json's choices: short escapes where JSON has them, \u00xx (lower case) for other
        // control characters, everything else verbatim.
        let escaped = String(decoding: output, as: UTF8.self)
        #expect(escaped.contains("\\b") && escaped.contains("\\f") && escaped.contains("\\n") && escaped.contains("\\u0001") && escaped.contains("\\u001f"))
        #expect(escaped.contains("/") && !escaped.contains("\\/") && escaped.contains("é") && escaped.contains("\u{7F}"))
    }

    @Test("the writer refuses the reserved name __metadata__")
    func reservedName() throws {
        var model = TensorCollection()
        try model.insert(Tensor.zeros(shape: [1]), named: "__metadata__")
        #expect(throws: SafetensorsError.reservedTensorName("__metadata__")) { try SafetensorsWriter().write(model) }
    }
}
