import SeededRandom
import Foundation
import PropertyBased
import Testing

@testable import FederatedCore

@Suite("Tensor conversions")
struct TensorConversionTests {
    struct ConversionTable: Decodable {
        let float32_bits: [String]
        let float16_bits: [String]
        let bfloat16_bits: [String]
    }

    struct FixtureFile: Decodable {
        let conversions: ConversionTable
    }

    @Test("Float → F16 rounds exactly like NumPy, Float → BF16 like PyTorch (fixture table)")
    func narrowingMatchesReference() throws {
        let table = try Fixtures.decode(FixtureFile.self, from: "safetensors_fixtures.json").conversions
        #expect(!table.float32_bits.isEmpty)
        for (index, source) in table.float32_bits.enumerated() {
            let value = Float(bitPattern: hexBits(source, as: UInt32.self))
            let half = HalfPrecision.float16Bits(from: value)
            let brain = HalfPrecision.bfloat16Bits(from: value)
            #expect(half == hexBits(table.float16_bits[index], as: UInt16.self), "F16 of \(value) (probe \(index))")
            #expect(brain == hexBits(table.bfloat16_bits[index], as: UInt16.self), "BF16 of \(value) (probe \(index))")
        }
    }

    @Test("every F16 bit pattern widens to Float and narrows back to itself")
    func float16RoundTripIsExhaustivelyExact() {
        for bits in UInt16.min...UInt16.max {
            let value = HalfPrecision.float(fromFloat16: bits)
            if bits & 0x7C00 == 0x7C00 && bits & 0x03FF != 0 {
                #expect(value.isNaN)
                #expect(HalfPrecision.float16Bits(from: value) == bits, "NaN payload of 0x\(String(bits, radix: 16))")
            } else {
                #expect(HalfPrecision.float16Bits(from: value) == bits, "0x\(String(bits, radix: 16)) → \(value)")
            }
        }
    }

    @Test("every BF16 bit pattern widens exactly; non-NaN patterns narrow back to themselves")
    func bfloat16RoundTripIsExhaustivelyExact() {
        for bits in UInt16.min...UInt16.max {
            let value = HalfPrecision.float(fromBFloat16: bits)
            #expect(value.bitPattern == UInt32(bits) << 16)
            if value.isNaN {
                #expect(HalfPrecision.bfloat16Bits(from: value) == 0x7FC0)
            } else {
                #expect(HalfPrecision.bfloat16Bits(from: value) == bits)
            }
        }
    }

    @Test("narrowing picks the nearest representable value")
    func narrowingIsNearest() async {
        func checkNearest(_ value: Float, encode: (Float) -> UInt16, decode: (UInt16) -> Float) {
            let bits = encode(value)
            let result = decode(bits)
            guard result.isFinite else { return }  // overflowed to infinity
            // The neighbouring bit patterns are the neighbouring values; neither may be closer.
            for neighbour in [bits &+ 1, bits &- 1] {
                let candidate = decode(neighbour)
                guard candidate.isFinite else { continue }
                #expect(abs(Double(candidate) - Double(value)) >= abs(Double(result) - Double(value)), "\(value) → \(result), but \(candidate) is closer")
            }
        }
        await propertyCheck(count: 500, input: Gen.float(in: -70000...70000), Gen.int(in: -30...0)) { value, exponent in
            // Scale into the subnormal ranges too.
            let scaled = value * Float(sign: .plus, exponent: exponent, significand: 1)
            checkNearest(scaled, encode: HalfPrecision.float16Bits(from:), decode: HalfPrecision.float(fromFloat16:))
            checkNearest(scaled, encode: HalfPrecision.bfloat16Bits(from:), decode: HalfPrecision.float(fromBFloat16:))
        }
    }

    @Test("converted(to:) round-trips through every wider type")
    func convertedRoundTrips() async {
        await propertyCheck(input: Gen.uint64()) { seed in
            var random = RandomModels(seed: seed)
            let shape = random.shape()
            let count = try Tensor.elementCount(of: shape)
            for dtype in [DType.float16, .bfloat16] {
                let narrow = try Tensor(shape: shape, storage: random.storage(dtype, count: count))
                // Widening to F32 and F64 is exact, so narrowing back restores every non-NaN bit.
                for wide in [DType.float32, .float64] {
                    let back = narrow.converted(to: wide).converted(to: dtype)
                    let expected = narrow.floatValues().map(\.isNaN)
                    #expect(back.floatValues().map(\.isNaN) == expected)
                    let matching = zip(back.floatValues(), narrow.floatValues()).allSatisfy { $0.isNaN ? $1.isNaN : $0.bitPattern == $1.bitPattern }
                    #expect(matching, "\(dtype) via \(wide)")
                }
            }
            let single = try Tensor(shape: shape, storage: random.storage(.float32, count: count))
            let viaDouble = single.converted(to: .float64).converted(to: .float32)
            #expect(zip(viaDouble.floatValues(), single.floatValues()).allSatisfy { $0.isNaN ? $1.isNaN : $0.bitPattern == $1.bitPattern })
        }
    }

    @Test("shape and element count must agree")
    func shapeChecks() {
        #expect(throws: TensorError.elementCountMismatch(shape: [2, 3], expected: 6, found: 5)) {
            try Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5])
        }
        #expect(throws: TensorError.negativeDimension(shape: [2, -1])) { try Tensor(shape: [2, -1], values: []) }
        #expect(throws: TensorError.shapeOverflow(shape: [Int.max, 3])) { try Tensor.elementCount(of: [Int.max, 3]) }
        #expect(throws: TensorError.duplicateName("w")) {
            try TensorCollection([("w", Tensor.zeros(shape: [1])), ("w", Tensor.zeros(shape: [2]))])
        }
    }

    @Test("Tensor and TensorCollection survive Codable bit for bit")
    func codableRoundTrip() async {
        await propertyCheck(input: Gen.uint64(), Gen.int(in: 0...6)) { seed, count in
            var random = RandomModels(seed: seed)
            var model = random.collection(count: count)
            model.metadata = count.isMultiple(of: 2) ? ["format": "pt", "round": "\(count)"] : [:]
            let decoded = try JSONDecoder().decode(TensorCollection.self, from: JSONEncoder().encode(model))
            #expect(decoded == model)
            #expect(decoded.names == model.names)
        }
    }

    @Test("base64 agrees with Foundation's encoder and decodes back")
    func base64() async {
        await propertyCheck(input: Gen.uint64(), Gen.int(in: 0...40)) { seed, length in
            var generator = SeededGenerator(seed: seed)
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let encoded = bytes.withUnsafeBytes(Base64.encode)
            #expect(encoded == Data(bytes).base64EncodedString())
            #expect(Base64.decode(encoded) == bytes)
            if !encoded.isEmpty {
                #expect(Base64.decode(String(encoded.dropLast())) == nil, "length not a multiple of 4")
                #expect(Base64.decode("!" + encoded.dropFirst()) == nil, "character outside the alphabet")
            }
        }
    }
}
