/// The engine of the coordinate-wise rules (median, trimmed mean, Bulyan's last step): for each
/// coordinate of the model it gathers the n clients' values, sorts them together with the index
/// of the client each came from, and lets the rule reduce the sorted column to one value while
/// crediting each client with the weight its value carried. Workers take contiguous coordinate
/// ranges; each keeps its own credit totals, summed at the end.
enum ColumnReduction {
    /// The reduced model (flat) and each client's mean weight over the coordinates.
    struct Result {
        var values: [Float]
        var influence: [Double]
    }

    /// `reduce(sorted, owners, credit)`: `sorted` holds the column ascending, `owners[k]` the
    /// client of `sorted[k]`; it returns the coordinate's value and adds each client's weight
    /// (summing to 1) into `credit[client]`.
    static func run(
        _ round: RoundUpdates, rows: [Int]? = nil, parallelism: Int,
        _ reduce: (UnsafeMutableBufferPointer<Float>, UnsafeMutableBufferPointer<Int32>, UnsafeMutableBufferPointer<Double>) -> Float
    ) -> Result {
        let rows = rows ?? Array(0..<round.count)
        let n = rows.count
        let count = round.parameterCount
        let workers = Kernels.workerCount(count: count, parallelism: parallelism, minimumPerWorker: 1 << 14)
        var output = [Float](repeating: 0, count: count)
        var credits = [Double](repeating: 0, count: workers * round.count)
        round.withMatrix { matrix in
            output.withUnsafeMutableBufferPointer { output in
                credits.withUnsafeMutableBufferPointer { credits in
                    Kernels.forEachRange(count: count, parallelism: parallelism, minimumPerWorker: 1 << 14) { worker, range in
                        let sorted = UnsafeMutableBufferPointer<Float>.allocate(capacity: n)
                        let owners = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n)
                        defer { sorted.deallocate(); owners.deallocate() }
                        // Each worker writes only its own slice of `credits` and of `output`.
                        let credit = UnsafeMutableBufferPointer(rebasing: credits[worker * round.count..<(worker + 1) * round.count])
                        for coordinate in range {
                            for (slot, row) in rows.enumerated() {
                                sorted[slot] = matrix[row * count + coordinate]
                                owners[slot] = Int32(row)
                            }
                            sortColumn(sorted, owners)
                            output[coordinate] = reduce(sorted, owners, credit)
                        }
                    }
                }
            }
        }
        var influence = [Double](repeating: 0, count: round.count)
        for worker in 0..<workers {
            for client in 0..<round.count { influence[client] += credits[worker * round.count + client] }
        }
        let scale = count == 0 ? 0 : 1 / Double(count)
        return Result(values: output, influence: influence.map { $0 * scale })
    }

    /// Insertion sort of a column and its owners, ascending by value: columns are a round's
    /// client count long (tens), where it beats a general sort; values are finite (checked on
    /// arrival), so `<` is a total order.
    @inline(__always)
    static func sortColumn(_ values: UnsafeMutableBufferPointer<Float>, _ owners: UnsafeMutableBufferPointer<Int32>) {
        guard values.count > 1 else { return }
        for index in 1..<values.count {
            let value = values[index]
            let owner = owners[index]
            var slot = index
            while slot > 0 && values[slot - 1] > value {
                values[slot] = values[slot - 1]
                owners[slot] = owners[slot - 1]
                slot -= 1
            }
            values[slot] = value
            owners[slot] = owner
        }
    }

    /// NumPy's `np.median` of a sorted column, in float32: the middle value, or the float32 mean
    /// of the two middle values (`(a + b) / 2`, as `np.mean` of two float32 values rounds).
    @inline(__always)
    static func median(_ sorted: UnsafeMutableBufferPointer<Float>) -> Float {
        let n = sorted.count
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }

    /// Mean of `sorted[range]`, summed in Double and rounded once to Float.
    @inline(__always)
    static func mean(_ sorted: UnsafeMutableBufferPointer<Float>, _ range: Range<Int>) -> Float {
        var sum = 0.0
        for index in range { sum += Double(sorted[index]) }
        return Float(sum / Double(range.count))
    }
}
