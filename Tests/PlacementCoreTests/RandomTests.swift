import SeededRandom
import Testing
@testable import PlacementCore

@Suite struct RandomTests {
    /// Reference outputs published with the algorithms (SplitMix64 seeded with 0;
    /// xoshiro256** from the state 1, 2, 3, 4).
    @Test func generatorsMatchTheirReferenceVectors() {
        var mix = SplitMix64(seed: 0)
        #expect([mix.next(), mix.next(), mix.next()] == [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
        var xoshiro = Xoshiro256StarStar(state: (1, 2, 3, 4))
        #expect((0..<4).map { _ in xoshiro.next() } == [11520, 0, 1_509_978_240, 1_215_971_899_390_074_240])
    }

    @Test func sameSeedSameStreamDifferentSeedDifferentStream() {
        var a = Xoshiro256StarStar(seed: 42), b = Xoshiro256StarStar(seed: 42), c = Xoshiro256StarStar(seed: 43)
        let first = (0..<8).map { _ in a.next() }
        #expect(first == (0..<8).map { _ in b.next() })
        #expect(first != (0..<8).map { _ in c.next() })
    }

    @Test func boundedDrawsStayInRangeAndCoverIt() {
        var generator = Xoshiro256StarStar(seed: 7)
        for bound in [1, 2, 3, 7, 10, 1000] {
            var seen = Set<Int>()
            for _ in 0..<(bound * 50) {
                let value = generator.next(below: bound)
                #expect((0..<bound).contains(value))
                seen.insert(value)
            }
            #expect(seen.count == bound, "every value of 0..<\(bound) drawn")
        }
        for _ in 0..<1000 {
            let unit = generator.nextUnitDouble()
            #expect(unit >= 0 && unit < 1)
        }
    }
}
