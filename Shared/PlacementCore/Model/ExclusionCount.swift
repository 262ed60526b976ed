/// How many options one kind of infeasibility excluded.
public struct ExclusionCount: Sendable, Hashable {
    public var kind: Infeasibility.Kind
    public var count: Int

    public init(kind: Infeasibility.Kind, count: Int) {
        self.kind = kind
        self.count = count
    }

    /// Counts in ``Infeasibility/Kind`` declaration order, zeros left out, so output is stable.
    static func tally(_ reasons: some Sequence<Infeasibility.Kind>) -> [ExclusionCount] {
        var counts = [Infeasibility.Kind: Int]()
        for kind in reasons { counts[kind, default: 0] += 1 }
        return Infeasibility.Kind.allCases.compactMap { kind in
            counts[kind].map { ExclusionCount(kind: kind, count: $0) }
        }
    }
}
