// federated-bench: throughput and memory of FederatedCore's server-side hot paths.
// Run in release mode: `swift run -c release federated-bench`.
//
// 1. Raw fold kernels on 10M floats (the numerical choice: Float vs Double running sums).
// 2. FedAvg streaming aggregation of N updates × 10,000,000 float32 parameters, N = 10, 50, 100:
//    GB/s of update bytes folded (bytes / wall time inside `fold`, generation excluded) and the
//    process's peak RSS during each run. Each update is generated just before it is folded and
//    dropped right after, so peak memory should stay flat as N grows.
// 3. Server optimiser steps (FedAdam, FedYogi, FedAdagrad on one and two threads; FedAvgM) on
//    10M parameters.
// 4. Robust aggregation and DP: each defence's aggregation time for 50 updates × 1,000,000
//    float32 parameters (buffered: these rules see the whole round), two threads.
//
// Sections can be chosen: `swift run -c release federated-bench defences` runs section 4 only
// (names: kernels, fedavg, steps, defences); no argument runs everything.
//
// Reading /proc is I/O, which is why it lives here and not in FederatedCore.
import FederatedCore
import Foundation

#if canImport(Glibc)
import Glibc
#endif

let parameterCount = 10_000_000
/// Shapes of a small two-layer model with exactly 10M parameters.
let layout: [(String, [Int])] = [("encoder.weight", [4000, 2000]), ("encoder.bias", [2000]), ("head.weight", [998, 2000]), ("head.bias", [2000])]
precondition(layout.reduce(0) { $0 + $1.1.reduce(1, *) } == parameterCount)

// MARK: Measurement helpers

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}

/// Peak resident set size (VmHWM) in MiB, from /proc/self/status.
func peakResidentMiB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") else { return .nan }
    return kilobytes / 1024
}

/// Resets VmHWM to the current RSS (Linux ≥ 4.0: write "5" to /proc/self/clear_refs).
@discardableResult
func resetPeakResident() -> Bool {
    guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
    defer { try? handle.close() }
    return (try? handle.write(contentsOf: Data("5".utf8))) != nil
}

/// A deterministic, cheap-to-make model: one xorshift stream per update, values in ±1.
func makeModel(seed: UInt64) -> TensorCollection {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    var model = TensorCollection()
    for (name, shape) in layout {
        let count = shape.reduce(1, *)
        let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                buffer[index] = Float(Int32(truncatingIfNeeded: state)) * 0x1p-31
            }
            initialized = count
        }
        model.set(try! Tensor(shape: shape, values: values), named: name)
    }
    return model
}

func format(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }

// MARK: 1. Kernels

@inline(never)
func foldFloat(_ sum: UnsafeMutableBufferPointer<Float>, _ x: UnsafeBufferPointer<Float>, _ w: Float) {
    for i in 0..<sum.count { sum[i] += w * x[i] }
}

@inline(never)
func foldDouble(_ sum: UnsafeMutableBufferPointer<Double>, _ x: UnsafeBufferPointer<Float>, _ w: Double) {
    for i in 0..<sum.count { sum[i] += w * Double(x[i]) }
}

func kernelBaselines() {
    print("== fold kernels, 10M elements, one thread (GB/s of update data)")
    let update = makeModel(seed: 1)["encoder.weight"]!.floatValues() + makeModel(seed: 2)["head.weight"]!.floatValues()
    let count = update.count
    var floats = [Float](repeating: 0, count: count)
    var doubles = [Double](repeating: 0, count: count)
    let repetitions = 20
    update.withUnsafeBufferPointer { x in
        for (label, run) in [("Float sum  (sum += w·x)", { floats.withUnsafeMutableBufferPointer { foldFloat($0, x, 3) } }),
                             ("Double sum (sum += w·Double(x))", { doubles.withUnsafeMutableBufferPointer { foldDouble($0, x, 3) } })] {
            run()  // warm up: fault the pages in
            let elapsed = ContinuousClock().measure { for _ in 0..<repetitions { run() } }
            print("  \(label): \(format(Double(count * 4 * repetitions) / seconds(elapsed) / 1e9)) GB/s")
        }
    }
}

// MARK: 2. Streaming FedAvg

struct StreamingResult {
    /// Over all folds: total bytes / total fold time.
    let gigabytesPerSecond: Double
    /// The fastest single fold: what the loop does when no other process holds the cores.
    let bestGigabytesPerSecond: Double
    let decodeGigabytesPerSecond: Double?
    let peakMiB: Double
}

/// One FedAvg round over `updates` clients. With `decode`, each update arrives as safetensors
/// bytes and is decoded with `SafetensorsReader(requireFinite: true)` (which scans while it
/// copies, and marks the tensors finite so the fold does not scan again); the decode is timed
/// separately from the fold.
func streamingFedAvg(updates: Int, options: WeightedMeanAccumulator.Options, decode: Bool = false) throws -> StreamingResult {
    let initial = makeModel(seed: 0)
    resetPeakResident()
    var strategy = try FedAvg(initialModel: initial)
    var accumulator = strategy.makeAccumulator(options: options)
    let reader = SafetensorsReader(requireFinite: true)
    var folding = Duration.zero
    var fastest = Duration.seconds(1000)
    var decoding = Duration.zero
    for client in 0..<updates {
        // Made just before it is folded, released at the end of the iteration.
        var update = makeModel(seed: UInt64(client + 1))
        if decode {
            let bytes = try SafetensorsWriter().write(update)
            update = TensorCollection()
            decoding += try ContinuousClock().measure { update = try reader.read(bytes) }
        }
        let examples = 100 + client * 7
        let elapsed = try ContinuousClock().measure { try accumulator.fold(update, examples: examples) }
        folding += elapsed
        fastest = min(fastest, elapsed)
    }
    let model = try strategy.finishRound(1, accumulator: accumulator)
    precondition(model.parameterCount == parameterCount)
    let bytes = Double(updates * parameterCount * MemoryLayout<Float>.size)
    return StreamingResult(
        gigabytesPerSecond: bytes / seconds(folding) / 1e9,
        bestGigabytesPerSecond: Double(parameterCount * MemoryLayout<Float>.size) / seconds(fastest) / 1e9,
        decodeGigabytesPerSecond: decode ? bytes / seconds(decoding) / 1e9 : nil,
        peakMiB: peakResidentMiB())
}

// MARK: 3. Server steps

func serverSteps() throws {
    print("== server step on 10M parameters (weighted mean given)")
    let initial = makeModel(seed: 0)
    let means = [makeModel(seed: 11), makeModel(seed: 12), makeModel(seed: 13)]
    let strategies: [(String, FedOpt.Configuration)] = [("FedAdam", .adam()), ("FedYogi", .yogi()), ("FedAdagrad", .adagrad())]
    for (label, configuration) in strategies {
        for threads in [1, 2] {
            var strategy = try FedOpt(configuration: configuration, initialModel: initial)
            strategy.parallelism = threads
            var times: [String] = []
            for (index, mean) in means.enumerated() {
                let elapsed = try ContinuousClock().measure { _ = try strategy.applyRound(index + 1, weightedMean: mean) }
                times.append("round \(index + 1) \(format(seconds(elapsed) * 1000, 1)) ms")
            }
            print("  \(label), \(threads) thread\(threads == 1 ? " " : "s"): \(times.joined(separator: ", "))  (round 1 also allocates m and v)")
        }
    }
    var momentum = try FedAvgM(configuration: .init(serverLearningRate: 0.7, serverMomentum: 0.9), initialModel: initial)
    var times: [String] = []
    for (index, mean) in means.enumerated() {
        let elapsed = try ContinuousClock().measure { _ = try momentum.applyRound(index + 1, weightedMean: mean) }
        times.append("round \(index + 1) \(format(seconds(elapsed) * 1000, 1)) ms")
    }
    print("  FedAvgM(lr 0.7, momentum 0.9), 1 thread: \(times.joined(separator: ", "))")
}

// MARK: 4. Defences

/// A 1M-parameter model (two tensors), values in ±1 from one xorshift stream per seed, moved by
/// a shared drift so updates look like a round of training rather than unrelated noise.
func makeSmallModel(seed: UInt64, drift: Float = 0) -> TensorCollection {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    var model = TensorCollection()
    for (name, shape) in [("layer.weight", [1000, 990]), ("layer.bias", [10_000])] {
        let count = shape.reduce(1, *)
        let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                buffer[index] = drift + Float(Int32(truncatingIfNeeded: state)) * 0x1p-31
            }
            initialized = count
        }
        model.set(try! Tensor(shape: shape, values: values), named: name)
    }
    return model
}

func defences() throws {
    let clients = 50
    let threads = 2
    print("== defences: one round of \(clients) updates × 1,000,000 float32 parameters, \(threads) threads, one run each (buffering excluded)")
    let global = makeSmallModel(seed: 0)
    var round = RoundUpdates(globalModel: global, expectedClients: clients)
    let buffering = try ContinuousClock().measure {
        for client in 0..<clients {
            try round.append(client: "client-\(client)", update: makeSmallModel(seed: UInt64(client + 1), drift: 0.05), examples: 100 + client)
        }
    }
    print("  buffering \(clients) updates (copy + finiteness scan): \(format(seconds(buffering) * 1000, 0)) ms")
    var rules: [any RobustAggregator] = [
        FedMedian(parallelism: threads),
        try FedTrimmedAvg(beta: 0.2, parallelism: threads),
        try Krum(numMaliciousClients: 5, parallelism: threads),
        try Krum(numMaliciousClients: 5, numClientsToKeep: 10, parallelism: threads),
        try Bulyan(numMaliciousClients: 5, parallelism: threads),
    ]
    var fedQV = try FedQV()
    fedQV.parallelism = threads
    var reputation = try ReputationWeighted()
    reputation.parallelism = threads
    rules += [fedQV, reputation] as [any RobustAggregator]
    for index in rules.indices {
        var result: DefendedRound?
        let elapsed = try ContinuousClock().measure { result = try rules[index].aggregate(round) }
        let flagged = result?.verdicts.filter { $0.decision != .kept }.count ?? 0
        print("  \(rules[index].name): \(format(seconds(elapsed) * 1000, 0)) ms (\(flagged) of \(clients) not kept)")
    }
    // Server-side DP: clip each update around the global model, FedAvg, add noise (streaming).
    let privacy = try ServerSideFixedClipping(noiseMultiplier: 1.0, clippingNorm: 10, numSampledClients: clients)
    var generator = SeededGenerator(seed: 1)
    let updates = (0..<clients).map { round.update($0) }
    let dp = try ContinuousClock().measure {
        _ = try privacy.aggregate(globalModel: global, results: updates.map { ($0, 100) }, using: &generator)
    }
    print("  server-side DP (clip to 10, FedAvg, Gaussian noise), 1 thread: \(format(seconds(dp) * 1000, 0)) ms")
    var accountant = try RenyiAccountant()
    let accounting = try ContinuousClock().measure {
        try accountant.compose(samplingRate: 0.01, noiseMultiplier: 1.1, steps: 1000)
        _ = try accountant.epsilon(delta: 1e-5)
    }
    print("  RDP accountant, 1000 rounds at q 0.01, σ 1.1, ε at δ 1e-5: \(format(seconds(accounting) * 1000, 1)) ms")
}

// MARK: Main

let loadAverage = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
print("federated-bench: \(ProcessInfo.processInfo.activeProcessorCount) cores, load average \(loadAverage), \(parameterCount) parameters (\(parameterCount * 4 / 1_000_000) MB per float32 update)")
let sections = Set(CommandLine.arguments.dropFirst())
func runs(_ section: String) -> Bool { sections.isEmpty || sections.contains(section) }

if runs("kernels") { kernelBaselines() }

let canResetPeak = resetPeakResident()
if runs("fedavg") {
    print("== streaming FedAvg: GB/s of update bytes folded (bytes / wall time inside fold, generation excluded), peak RSS of each run\(canResetPeak ? "" : " (NOT reset between runs: clear_refs unavailable)")")
    print("   resident floor: global model + running sum + one update + the new model = 4 × 40 MB (+40 MB of bytes when decoding)")
    print("   updates built in memory: each fold scans for NaN/inf, then adds")
    for (updates, threads) in [(10, 2), (50, 2), (100, 2), (100, 1)] {
        let result = try streamingFedAvg(updates: updates, options: .init(parallelism: threads))
        print("  \(String(format: "%3d", updates)) updates, \(threads) thread\(threads == 1 ? " " : "s"): \(format(result.gigabytesPerSecond)) GB/s "
              + "(fastest fold \(format(result.bestGigabytesPerSecond))), peak RSS \(format(result.peakMiB, 0)) MiB")
}
print("   updates decoded from safetensors with requireFinite (scanned while copied), so the fold only adds")
for threads in [2, 1] {
    let result = try streamingFedAvg(updates: 100, options: .init(parallelism: threads), decode: true)
    print("  100 updates, \(threads) thread\(threads == 1 ? " " : "s"): fold \(format(result.gigabytesPerSecond)) GB/s (fastest \(format(result.bestGigabytesPerSecond))), "
          + "decode \(format(result.decodeGigabytesPerSecond ?? .nan)) GB/s, peak RSS \(format(result.peakMiB, 0)) MiB")
}
}

if runs("steps") { try serverSteps() }
if runs("defences") { try defences() }
