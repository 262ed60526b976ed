import Dispatch

/// The hot loops over `Float` buffers. Each is a plain indexed loop over unsafe buffers with no
/// cross-iteration dependency except integer OR-reductions, which LLVM vectorises at `-O`
/// (float reductions would not be, since reassociation changes results).
///
/// No fused multiply-add: Swift does not contract `a + w * x`, so `fold` rounds exactly as
/// NumPy's `acc + layer * n` does — which is what lets FedAvg match Flower bit for bit.
enum Kernels {
    /// Elements per block when scanning for non-finite values; small enough to stay in L1.
    private static let scanBlock = 4096

    /// Index of the first NaN or infinity in `values`.
    static func firstNonFinite(_ values: UnsafeBufferPointer<Float>) -> Int? {
        var start = 0
        while start < values.count {
            let end = min(start + scanBlock, values.count)
            if !allFinite(UnsafeBufferPointer(rebasing: values[start..<end])) {
                return (start..<end).first { !values[$0].isFinite }
            }
            start = end
        }
        return nil
    }

    /// Branch-free scan: the exponent field plus one carries into bit 31 exactly when it is all
    /// ones (infinity or NaN), so OR-ing those sums and testing bit 31 needs no comparison in
    /// the loop — which keeps it vectorisable.
    @inline(__always)
    private static func allFinite(_ values: UnsafeBufferPointer<Float>) -> Bool {
        var flags: UInt32 = 0
        var index = 0
        while index < values.count {
            flags |= (values[index].bitPattern & 0x7F80_0000) &+ 0x0080_0000
            index &+= 1
        }
        return flags & 0x8000_0000 == 0
    }

    /// `accumulator[i] = weight * values[i]`: the first update initialises the running sum, so
    /// it need not be read (and `-0` survives as NumPy's `reduce(np.add, ...)` keeps it).
    @inline(__always)
    static func assignScaled(_ accumulator: UnsafeMutableBufferPointer<Float>, _ values: UnsafeBufferPointer<Float>, weight: Float) {
        precondition(accumulator.count == values.count)
        for index in 0..<accumulator.count {
            accumulator[index] = weight * values[index]
        }
    }

    /// `accumulator[i] += weight * values[i]`.
    @inline(__always)
    static func addScaled(_ accumulator: UnsafeMutableBufferPointer<Float>, _ values: UnsafeBufferPointer<Float>, weight: Float) {
        precondition(accumulator.count == values.count)
        for index in 0..<accumulator.count {
            accumulator[index] += weight * values[index]
        }
    }

    /// `values[i] /= divisor` (division, not multiplication by the reciprocal, to round as
    /// NumPy's `array / n` does).
    static func divide(_ values: UnsafeMutableBufferPointer<Float>, by divisor: Float) {
        for index in 0..<values.count {
            values[index] /= divisor
        }
    }

    /// How many workers `forEachRange` will use for `count` elements.
    static func workerCount(count: Int, parallelism: Int, minimumPerWorker: Int = 1 << 16) -> Int {
        max(1, min(parallelism, count / max(1, minimumPerWorker)))
    }

    /// Runs `body(worker, range)` over `0..<count` split into contiguous ranges, one per worker,
    /// on that many threads. Work below `minimumPerWorker` elements per worker stays on the
    /// calling thread, where a thread hand-off would cost more than it saves.
    static func forEachRange(
        count: Int, parallelism: Int, minimumPerWorker: Int = 1 << 16,
        _ body: (_ worker: Int, _ range: Range<Int>) -> Void
    ) {
        withoutActuallyEscaping(body) { body in
            forEachRangeEscaping(count: count, parallelism: parallelism, minimumPerWorker: minimumPerWorker, body)
        }
    }

    private static func forEachRangeEscaping(
        count: Int, parallelism: Int, minimumPerWorker: Int,
        _ body: @escaping (_ worker: Int, _ range: Range<Int>) -> Void
    ) {
        let workers = workerCount(count: count, parallelism: parallelism, minimumPerWorker: minimumPerWorker)
        if workers == 1 {
            body(0, 0..<count)
            return
        }
        let shared = ConcurrentBody(body: body)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            shared.body(worker, count * worker / workers..<count * (worker + 1) / workers)
        }
    }

    /// Lets `concurrentPerform` (whose closure must be `@Sendable`) call a non-escaping,
    /// non-Sendable body. Safe because `concurrentPerform` returns only after every iteration
    /// has finished, so the body never outlives the call, and because `forEachRange`'s contract
    /// is that workers touch disjoint ranges (each caller passes buffers indexed by `range` or
    /// by `worker` only).
    private struct ConcurrentBody: @unchecked Sendable {
        let body: (Int, Range<Int>) -> Void
    }
}
