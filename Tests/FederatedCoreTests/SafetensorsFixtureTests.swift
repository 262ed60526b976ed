import Foundation
import Testing

@testable import FederatedCore

/// Files written by Python's `safetensors` (Fixtures/make_safetensors_fixtures.py) must read to
/// exactly the bits the script recorded, and writing them back must reproduce the file.
@Suite("safetensors files written by Python")
struct SafetensorsFixtureTests {
    struct FixtureTensor: Decodable {
        let name: String
        let dtype: String
        let shape: [Int]
        let bits: [String]
        let float32_bits: [String]?
        let data_offsets: [Int]
    }

    struct FixtureFile: Decodable {
        let metadata: [String: String]
        let tensors: [FixtureTensor]
        let size: Int
    }

    struct FixtureIndex: Decodable {
        let files: [String: FixtureFile]
    }

    static let index = try! Fixtures.decode(FixtureIndex.self, from: "safetensors_fixtures.json")
    static let readableFiles = ["mixed_dtypes.safetensors", "model_f32.safetensors", "multi_metadata.safetensors", "empty.safetensors"]

    @Test("reads every tensor with the recorded dtype, shape, bits and F32 conversion", arguments: readableFiles)
    func readsExactValues(file: String) throws {
        let expected = try #require(Self.index.files[file])
        let bytes = try Fixtures.bytes(file)
        #expect(bytes.count == expected.size)
        let model = try SafetensorsReader().read(bytes)

        #expect(model.metadata == expected.metadata)
        #expect(model.names == expected.tensors.map(\.name), "tensors come out in data order")
        for fixture in expected.tensors {
            let tensor = try #require(model[fixture.name])
            #expect(tensor.dtype.safetensorsName == fixture.dtype, "\(fixture.name)")
            #expect(tensor.shape == fixture.shape, "\(fixture.name)")
            #expect(hexBits(of: tensor) == fixture.bits, "\(fixture.name)")
            if let float32 = fixture.float32_bits {
                let converted = tensor.floatValues().map { $0.bitPattern }
                #expect(converted == float32.map { hexBits($0, as: UInt32.self) }, "\(fixture.name) as F32")
            }
        }
        let header = try SafetensorsReader().readHeader(bytes)
        #expect(header.entries.map { [$0.dataOffsets.lowerBound, $0.dataOffsets.upperBound] } == expected.tensors.map(\.data_offsets))
    }

    @Test("writing a Python file's tensors back gives the same bytes", arguments: ["mixed_dtypes.safetensors", "model_f32.safetensors", "empty.safetensors"])
    func rewritesByteForByte(file: String) throws {
        let bytes = try Fixtures.bytes(file)
        let model = try SafetensorsReader().read(bytes)
        let rewritten = try SafetensorsWriter().write(model)
        #expect(rewritten == bytes)
    }

    @Test("several metadata keys: same content, keys in a fixed order")
    func multipleMetadataKeys() throws {
        // Rust orders several metadata keys arbitrarily (HashMap), so only the content is compared.
        let model = try SafetensorsReader().read(Fixtures.bytes("multi_metadata.safetensors"))
        let again = try SafetensorsReader().read(SafetensorsWriter().write(model))
        #expect(again == model)
        let (first, second) = (try SafetensorsWriter().write(model), try SafetensorsWriter().write(again))
        #expect(first == second, "deterministic output")
    }

    @Test("an I64 tensor is refused, naming the tensor and the dtype")
    func unsupportedDType() throws {
        let bytes = try Fixtures.bytes("int64.safetensors")
        let fixture = try #require(Self.index.files["int64.safetensors"]?.tensors.first)
        #expect(throws: SafetensorsError.unsupportedDType(tensor: fixture.name, dtype: fixture.dtype)) {
            try SafetensorsReader().read(bytes)
        }
        let message = SafetensorsError.unsupportedDType(tensor: fixture.name, dtype: fixture.dtype).description
        #expect(message.contains("'\(fixture.name)'") && message.contains(fixture.dtype))
    }

    @Test("NaN and infinity load by default and are refused when finiteness is required")
    func nonFinite() throws {
        let bytes = try Fixtures.bytes("nonfinite.safetensors")
        let fixtures = try #require(Self.index.files["nonfinite.safetensors"]).tensors
        let model = try SafetensorsReader().read(bytes)
        #expect(model.count == fixtures.count)

        // The first non-finite element in data order is the one reported.
        let firstBad = try #require(fixtures.first { !$0.float32_bits!.allSatisfy { Float(bitPattern: hexBits($0, as: UInt32.self)).isFinite } })
        let index = try #require(firstBad.float32_bits!.firstIndex { !Float(bitPattern: hexBits($0, as: UInt32.self)).isFinite })
        do {
            _ = try SafetensorsReader(requireFinite: true).read(bytes)
            Issue.record("a NaN was accepted although finiteness was required")
        } catch {
            guard case .nonFinite(let tensor, let position, let value) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(tensor == firstBad.name)
            #expect(position == index)
            #expect(!value.isFinite)
        }
    }
}
