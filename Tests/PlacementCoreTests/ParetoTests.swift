import Foundation
import PropertyBased
import Testing
@testable import PlacementCore

/// Front, hypervolume, selection and NSGA-II sorting against definitions, on random inputs.
/// Small integer coordinates force the ties that break naive implementations.
@Suite struct ParetoTests {
    static let point = zip(Gen.int(in: 0...6), Gen.int(in: 0...6)).map { cost, time in
        ObjectivePoint(cost: Double(cost), time: Double(time))
    }
    static let points = point.array(of: 0...30)

    @Test func sweepFrontEqualsTheQuadraticDefinition() async {
        await propertyCheck(count: 300, input: Self.points) { points in
            let front = ParetoFront.nonDominatedIndices(points)
            #expect(Set(front) == Set(Reference.bruteForceFront(points)))
            // Sorted by cost ascending, time non-increasing.
            for (a, b) in zip(front, front.dropFirst()) {
                #expect(points[a].cost <= points[b].cost && points[a].time >= points[b].time)
            }
        }
    }

    @Test func hypervolumeEqualsCountedUnitCells() async {
        await propertyCheck(count: 200, input: Self.points) { points in
            let reference = ObjectivePoint(cost: 7, time: 7)
            var cells = 0
            for x in 0..<7 {
                for y in 0..<7 where points.contains(where: { $0.cost <= Double(x) && $0.time <= Double(y) }) {
                    cells += 1
                }
            }
            #expect(Hypervolume.of(points, reference: reference) == Double(cells))
        }
    }

    @Test func weightedChoiceMinimisesTheNormalisedScore() async {
        await propertyCheck(count: 200, input: Self.points, Gen.double(in: 0...1)) { points, preference in
            let front = ParetoFront.nonDominatedIndices(points).map { points[$0] }
            guard let chosen = FrontSelection.weighted(front, preference: preference) else {
                #expect(points.isEmpty)
                return
            }
            let costs = front.map(\.cost), times = front.map(\.time)
            func score(_ p: ObjectivePoint) -> Double {
                let c = costs.max()! > costs.min()! ? (p.cost - costs.min()!) / (costs.max()! - costs.min()!) : 0
                let t = times.max()! > times.min()! ? (p.time - times.min()!) / (times.max()! - times.min()!) : 0
                return (1 - preference) * c + preference * t
            }
            #expect(front.allSatisfy { score($0) >= score(front[chosen]) - 1e-12 })
        }
    }

    @Test func preferenceZeroIsCheapestAndOneIsFastest() async {
        await propertyCheck(count: 200, input: Self.points) { points in
            guard !points.isEmpty else { return }
            let front = ParetoFront.nonDominatedIndices(points).map { points[$0] }
            #expect(front[FrontSelection.weighted(front, preference: 0)!].cost == points.map(\.cost).min())
            #expect(front[FrontSelection.weighted(front, preference: 1)!].time == points.map(\.time).min())
        }
    }

    @Test func kneeIsFarthestBelowTheLineOfExtremes() async {
        await propertyCheck(count: 200, input: Self.points) { points in
            let front = ParetoFront.nonDominatedIndices(points).map { points[$0] }
            guard front.count >= 3, let knee = FrontSelection.knee(front) else { return }
            let cMin = front.first!.cost, cMax = front.last!.cost
            let tMin = front.last!.time, tMax = front.first!.time
            // Normalised: extremes at (0, 1) and (1, 0); distance below x + y = 1 is (1 − x − y)/√2.
            func distance(_ p: ObjectivePoint) -> Double {
                let x = cMax > cMin ? (p.cost - cMin) / (cMax - cMin) : 0
                let y = tMax > tMin ? (p.time - tMin) / (tMax - tMin) : 0
                return (1 - x - y) / 2.0.squareRoot()
            }
            #expect(front.allSatisfy { distance($0) <= distance(front[knee]) + 1e-12 })
        }
    }

    static let fitness = zip(Self.point, Gen.int(in: 0...3), Gen.bool).map { point, violation, feasible in
        Fitness(objectives: point, violation: feasible ? 0 : Double(violation))
    }

    @Test func fastNonDominatedSortEqualsRepeatedPeeling() async {
        await propertyCheck(count: 200, input: Self.fitness.array(of: 0...25)) { fitness in
            let fronts = NSGA2<HierarchicalProblem>.nonDominatedFronts(fitness)
            var remaining = Set(fitness.indices)
            var expected: [[Int]] = []
            while !remaining.isEmpty {
                let layer = remaining.filter { i in !remaining.contains { fitness[$0].constrainedDominates(fitness[i]) } }
                expected.append(layer.sorted())
                remaining.subtract(layer)
            }
            #expect(fronts == expected)
        }
    }

    @Test func constrainedDominationFollowsDeb() {
        let good = ObjectivePoint(cost: 1, time: 1), bad = ObjectivePoint(cost: 9, time: 9)
        #expect(Fitness(objectives: bad, violation: 0).constrainedDominates(Fitness(objectives: good, violation: 0.1)))
        #expect(Fitness(objectives: bad, violation: 0.1).constrainedDominates(Fitness(objectives: good, violation: 0.2)))
        #expect(!Fitness(objectives: good, violation: 0.2).constrainedDominates(Fitness(objectives: bad, violation: 0.1)))
        #expect(!Fitness(objectives: good, violation: 0).constrainedDominates(Fitness(objectives: good, violation: 0)))
    }

    @Test func crowdingGivesBoundariesInfinityAndInteriorTheNormalisedGaps() {
        let points = [(0.0, 10.0), (2, 6), (5, 3), (10, 0)].map { ObjectivePoint(cost: $0.0, time: $0.1) }
        let distances = NSGA2<HierarchicalProblem>.crowdingDistances(points)
        #expect(distances[0] == .infinity && distances[3] == .infinity)
        // Neighbours' gap per objective over that objective's range (10 for both).
        let second: Double = (5.0 - 0.0) / 10 + (10.0 - 3.0) / 10
        let third: Double = (10.0 - 2.0) / 10 + (6.0 - 0.0) / 10
        #expect(Reference.close(distances[1], second))
        #expect(Reference.close(distances[2], third))
    }
}
