import Crypto
import Foundation
import PropertyBased
import SeededRandom
import Testing

@testable import SecureAggregation

@Suite("field, Shamir sharing, PRG, quantisation")
struct PrimitivesTests {
    static let p = PrimeField.modulus

    @Test("GF(2^61 − 1) multiplication agrees with a 128-bit division reference")
    func fieldMultiplication() async {
        await propertyCheck(input: Gen.uint64(in: 0...(Self.p - 1)), Gen.uint64(in: 0...(Self.p - 1))) { a, b in
            let reference = Self.p.dividingFullWidth(a.multipliedFullWidth(by: b)).remainder
            #expect(PrimeField.multiply(a, b) == reference)
            #expect(PrimeField.add(a, b) == (a + b) % Self.p)
            #expect(PrimeField.subtract(a, b) == (a + Self.p - b) % Self.p)
            if a != 0 { #expect(PrimeField.multiply(a, PrimeField.inverse(a)) == 1) }
        }
    }

    @Test("any t shares rebuild the secret; t − 1 shares do not")
    func shamirThreshold() async {
        await propertyCheck(input: Gen.uint64(), Gen.int(in: 2...12)) { seed, holders in
            var generator = Xoshiro256StarStar(seed: seed)
            let threshold = 1 + generator.next(below: holders)
            let secret = (0..<32).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let points = (0..<holders).map { UInt64($0 * 3 + 1) }
            var shares = ShamirSecretSharing.split(secret, threshold: threshold, points: points, using: &generator)
            generator.shuffle(&shares)
            #expect(ShamirSecretSharing.reconstruct(shares, threshold: threshold) == secret)
            #expect(ShamirSecretSharing.reconstruct(Array(shares.prefix(threshold - 1)), threshold: threshold) == nil)
            if threshold >= 2 {
                // Interpolating too few points gives some other polynomial's constant term.
                #expect(ShamirSecretSharing.reconstruct(shares, threshold: threshold - 1) != secret)
            }
        }
    }

    @Test("a corrupted share or a repeated point is refused or rebuilds another secret")
    func shamirCorruption() {
        var generator = Xoshiro256StarStar(seed: 3)
        let secret = [UInt8](repeating: 0xAB, count: 32)
        let shares = ShamirSecretSharing.split(secret, threshold: 3, points: [1, 2, 3, 4], using: &generator)
        var corrupted = shares
        corrupted[0].values[2] = PrimeField.add(corrupted[0].values[2], 1)
        #expect(ShamirSecretSharing.reconstruct(corrupted, threshold: 3) != secret)
        #expect(ShamirSecretSharing.reconstruct([shares[0], shares[0], shares[1]], threshold: 3) == nil)
        #expect(ShamirShare(bytes: shares[1].bytes) == shares[1])
    }

    /// RFC 8439, appendix A.1 test vector #2 and §2.3.2: ChaCha20 keystream blocks with counter 1,
    /// which is where the AEAD's encryption starts.
    @Test("the mask PRG is the ChaCha20 keystream (RFC 8439 vectors)")
    func maskPRGIsChaCha20() throws {
        let zeroKey = SymmetricKey(data: [UInt8](repeating: 0, count: 32))
        let block = try MaskExpander.keystream(key: zeroKey, chunk: 0, bytes: 64)
        #expect(hex(block) == "9f07e7be5551387a98ba977c732d080dcb0f29a048e3656912c6533e32ee7aed29b721769ce64e43d57133b074d839d531ed1f28510afb45ace10a1f4b794d6f")

        let key = SymmetricKey(data: (0..<32).map { UInt8($0) })
        let nonce = try ChaChaPoly.Nonce(data: [0, 0, 0, 0x09, 0, 0, 0, 0x4a, 0, 0, 0, 0])
        let sealed = try ChaChaPoly.seal([UInt8](repeating: 0, count: 64), using: key, nonce: nonce)
        #expect(hex(sealed.ciphertext) == "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4ed2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e")
    }

    @Test("masks are deterministic per key, differ across keys, and chunking is seamless")
    func maskExpansion() throws {
        let key = SymmetricKey(size: .bits256)
        let long = try MaskExpander.mask(key: key, count: 3 * MaskExpander.wordsPerChunk + 5)
        #expect(try MaskExpander.mask(key: key, count: 100) == Array(long.prefix(100)))
        #expect(try MaskExpander.mask(key: key, count: long.count) == long)
        // Chunks use distinct nonces: the second chunk is not a copy of the first.
        #expect(Array(long[0..<64]) != Array(long[MaskExpander.wordsPerChunk..<MaskExpander.wordsPerChunk + 64]))
        #expect(try MaskExpander.mask(key: SymmetricKey(size: .bits256), count: 100) != Array(long.prefix(100)))
        var vector = long
        try MaskExpander.apply(key: key, to: &vector, subtract: true)
        #expect(vector.allSatisfy { $0 == 0 })
    }

    @Test("quantisation error is within one step, clipping holds, and n extreme values never wrap")
    func quantisationBounds() async {
        await propertyCheck(input: Gen.uint64(), Gen.int(in: 1...200)) { seed, contributors in
            var generator = Xoshiro256StarStar(seed: seed)
            for rounding in [RoundingMode.nearest, .stochastic] {
                let quantiser = Quantiser(clippingBound: 0.5, rounding: rounding, maxContributors: contributors)
                let values = (0..<64).map { _ in Float(generator.nextGaussian()) }
                let quantised = try quantiser.quantise(values, using: &generator)
                for (value, back) in zip(values, quantiser.dequantise(quantised)) {
                    let clipped = min(max(Double(value), -0.5), 0.5)
                    let bound = (rounding == .nearest ? 0.5 : 1) * quantiser.step + abs(clipped) * 0x1p-23
                    #expect(abs(Double(back) - clipped) <= bound)
                }
                // The worst case: every contributor at the bound, both signs.
                for extreme: Float in [0.5, -0.5, 7, -7] {
                    let one = try quantiser.quantise([extreme], using: &generator)[0]
                    var sum: UInt32 = 0
                    for _ in 0..<contributors { sum &+= one }
                    let expected = Double(contributors) * Double(extreme.sign == .minus ? -0.5 : 0.5)
                    #expect(abs(Double(quantiser.dequantise([sum])[0]) - expected) <= Double(contributors) * quantiser.step + abs(expected) * 0x1p-23)
                }
            }
        }
    }

    @Test("stochastic rounding is unbiased")
    func stochasticRoundingIsUnbiased() throws {
        let quantiser = Quantiser(clippingBound: 1, rounding: .stochastic, maxContributors: 1 << 20)
        var generator = Xoshiro256StarStar(seed: 11)
        // A value 0.3 steps above a level: rounds up 30 % of the time.
        let value = Float(2.3 * quantiser.step)
        let draws = 20_000
        let quantised = try quantiser.quantise([Float](repeating: value, count: draws), using: &generator)
        let ups = quantised.filter { Int32(bitPattern: $0) == 3 }.count
        #expect(quantised.allSatisfy { [2, 3].contains(Int32(bitPattern: $0)) })
        // Binomial(20 000, 0.3): σ ≈ 65; 6σ.
        #expect(abs(ups - 6000) < 390)
    }

    @Test("non-finite values are refused with their index")
    func nonFinite() {
        let quantiser = Quantiser(clippingBound: 1, rounding: .nearest, maxContributors: 3)
        var generator = Xoshiro256StarStar(seed: 1)
        #expect(throws: SecAggError.nonFiniteUpdate(index: 2)) { try quantiser.quantise([0, 1, .nan], using: &generator) }
        #expect(throws: SecAggError.nonFiniteUpdate(index: 0)) { try quantiser.quantise([.infinity], using: &generator) }
    }

    @Test("graphs: symmetric, no self-loops, regular, seeded, complete when dense")
    func neighbourGraphs() async {
        await propertyCheck(input: Gen.uint64(), Gen.int(in: 2...40), Gen.int(in: 1...12)) { seed, count, degree in
            let graph = NeighbourGraph(kind: .randomRing(degree: degree, seed: seed), count: count)
            let expectedDegree = min(2 * ((degree + 1) / 2), count - 1)
            for agent in 0..<count {
                #expect(!graph.neighbours[agent].contains(agent))
                #expect(graph.neighbours[agent].count == expectedDegree)
                #expect(Set(graph.neighbours[agent]).count == expectedDegree)
                for other in graph.neighbours[agent] { #expect(graph.areNeighbours(other, agent)) }
            }
            #expect(graph == NeighbourGraph(kind: .randomRing(degree: degree, seed: seed), count: count))
        }
        let complete = NeighbourGraph(kind: .complete, count: 5)
        #expect(complete.neighbours[2] == [0, 1, 3, 4])
        let a = NeighbourGraph(kind: .randomRing(degree: 4, seed: 1), count: 30)
        let b = NeighbourGraph(kind: .randomRing(degree: 4, seed: 2), count: 30)
        #expect(a != b)
    }

    @Test("configuration: thresholds outside (half, neighbourhood] are refused; JSON round trip keeps the session")
    func configurationValidation() throws {
        let keys = SecAggSimulation.makeSigningKeys(count: 6)
        let participants = SecAggSimulation.participants(keys)
        for bad in [1, 3, 7] {
            #expect(throws: SecAggError.self) {
                try SecAggConfiguration(roundID: "r", participants: participants, threshold: bad, vectorLength: 4, clippingBound: 1)
            }
        }
        // Degree 2: neighbourhoods of 3, so t must be 2 or 3.
        #expect(throws: SecAggError.self) {
            try SecAggConfiguration(roundID: "r", participants: participants, threshold: 4,
                                    graph: .randomRing(degree: 2, seed: 1), vectorLength: 4, clippingBound: 1)
        }
        let configuration = try SecAggConfiguration(roundID: "r", participants: participants, threshold: 4,
                                                    graph: .randomRing(degree: 5, seed: 9), vectorLength: 4, clippingBound: 1)
        let decoded = try JSONDecoder().decode(SecAggConfiguration.self, from: JSONEncoder().encode(configuration))
        #expect(decoded == configuration)
        let other = try SecAggConfiguration(roundID: "r2", participants: participants, threshold: 4,
                                            graph: .randomRing(degree: 5, seed: 9), vectorLength: 4, clippingBound: 1)
        #expect(other.session != configuration.session)
    }
}

func hex(_ data: some Sequence<UInt8>) -> String { data.map { String(format: "%02x", $0) }.joined() }
