import SeededRandom

/// Who shares secrets and pairwise masks with whom.
///
/// - `complete`: everyone with everyone (the original SecAgg; O(n²) work).
/// - `randomRing(degree:seed:)`: SecAgg+'s sparse graph. The roster is shuffled by a seeded
///   xoshiro256** (the graph is public, so a non-cryptographic generator is fine here), placed on
///   a ring, and each agent is joined to the ⌈k/2⌉ nearest agents on each side — a random
///   Harary graph, regular of degree 2⌈k/2⌉ (odd degrees round up), connected, and
///   degenerating to the complete graph when that degree reaches n − 1.
public enum NeighbourGraphKind: Codable, Sendable, Hashable {
    case complete
    case randomRing(degree: Int, seed: UInt64)
}

/// The neighbour sets of one round, by roster position.
public struct NeighbourGraph: Sendable, Hashable {
    /// `neighbours[i]`: sorted roster positions adjacent to i (never i itself).
    public let neighbours: [[Int]]
    private let adjacency: [Set<Int>]

    public init(kind: NeighbourGraphKind, count: Int) {
        precondition(count >= 1, "a graph needs at least one agent")
        switch kind {
        case .complete:
            neighbours = (0..<count).map { i in (0..<count).filter { $0 != i } }
        case .randomRing(let degree, let seed):
            let half = (max(degree, 1) + 1) / 2
            if 2 * half >= count - 1 {
                neighbours = (0..<count).map { i in (0..<count).filter { $0 != i } }
            } else {
                var order = Array(0..<count)
                var generator = Xoshiro256StarStar(seed: seed)
                generator.shuffle(&order)
                var position = [Int](repeating: 0, count: count)
                for (slot, agent) in order.enumerated() { position[agent] = slot }
                neighbours = (0..<count).map { agent in
                    (1...half).flatMap { offset in
                        [order[(position[agent] + offset) % count], order[(position[agent] - offset + count) % count]]
                    }.sorted()
                }
            }
        }
        adjacency = neighbours.map(Set.init)
    }

    public func areNeighbours(_ a: Int, _ b: Int) -> Bool { adjacency[a].contains(b) }

    /// The agents that hold shares of `agent`'s secrets: its neighbours and itself.
    public func holders(of agent: Int) -> [Int] { (neighbours[agent] + [agent]).sorted() }

    /// The smallest neighbourhood (holders included), which bounds the usable threshold.
    public var smallestNeighbourhood: Int { (neighbours.map(\.count).min() ?? 0) + 1 }
}
