import SeededRandom

/// The trainers' generator: the suite's one seeded xoshiro256** (Shared/SeededRandom), under the
/// name the training API has always used.
public typealias SeededGenerator = Xoshiro256StarStar
