/// Squared Euclidean distances between every two clients' flattened models, for Krum and Bulyan.
///
/// Cache-blocked: coordinates are taken in blocks small enough that all n clients' slices stay
/// in cache while every pair is compared, so each update is read from memory once rather than
/// n − 1 times. Within a block, differences are squared and summed in float32 (eight lanes, as
/// a BLAS `sdot` would); block sums are added in Double. Flower computes each distance as a
/// float32 `np.linalg.norm`, squared: both carry float32-level relative error (~1e-6), far below
/// the gaps between Krum scores that decide anything.
enum PairwiseDistances {
    private static let block = 2048

    /// Row-major n × n matrix of squared distances (zero diagonal, symmetric).
    static func squared(_ round: RoundUpdates, parallelism: Int) -> [Double] {
        let n = round.count
        let count = round.parameterCount
        let workers = Kernels.workerCount(count: count, parallelism: parallelism)
        var partial = [Double](repeating: 0, count: workers * n * n)
        round.withMatrix { matrix in
            partial.withUnsafeMutableBufferPointer { partial in
                Kernels.forEachRange(count: count, parallelism: parallelism) { worker, range in
                    // Each worker writes only its own n × n slice.
                    let sums = UnsafeMutableBufferPointer(rebasing: partial[worker * n * n..<(worker + 1) * n * n])
                    var start = range.lowerBound
                    while start < range.upperBound {
                        let end = min(start + block, range.upperBound)
                        for i in 0..<n {
                            let a = matrix.baseAddress! + i * count
                            for j in (i + 1)..<max(i + 1, n) {
                                let b = matrix.baseAddress! + j * count
                                sums[i * n + j] += Double(squaredDistance(a, b, start, end))
                            }
                        }
                        start = end
                    }
                }
            }
        }
        var distances = [Double](repeating: 0, count: n * n)
        for worker in 0..<workers {
            for i in 0..<n {
                for j in (i + 1)..<max(i + 1, n) { distances[i * n + j] += partial[worker * n * n + i * n + j] }
            }
        }
        for i in 0..<n {
            for j in (i + 1)..<max(i + 1, n) { distances[j * n + i] = distances[i * n + j] }
        }
        return distances
    }

    @inline(__always)
    private static func squaredDistance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ start: Int, _ end: Int) -> Float {
        var lanes = SIMD8<Float>()
        var index = start
        while index + 8 <= end {
            let x = UnsafeRawPointer(a + index).loadUnaligned(as: SIMD8<Float>.self)
            let y = UnsafeRawPointer(b + index).loadUnaligned(as: SIMD8<Float>.self)
            let d = x - y
            lanes += d * d
            index += 8
        }
        var sum = lanes.sum()
        while index < end {
            let d = a[index] - b[index]
            sum += d * d
            index += 1
        }
        return sum
    }

    /// Krum scores of the clients in `candidates` (indices into the matrix): for each, the sum
    /// of its `max(1, m − f − 2)` smallest distances to the other candidates, m = candidates.count
    /// (Flower's `aggregate_krum`: `np.argsort(distance)[1 : num_closest + 1]`).
    static func krumScores(_ distances: [Double], n: Int, candidates: [Int], malicious f: Int) -> [Double] {
        let closest = max(1, candidates.count - f - 2)
        return candidates.map { i in
            var others = candidates.filter { $0 != i }.map { distances[i * n + $0] }
            others.sort()
            return others.prefix(closest).reduce(0, +)
        }
    }
}
