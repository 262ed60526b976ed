// placement-bench: figures for the placement issue. Run with
//   swift run -c release placement-bench [--data DIR] [--only exact|nsga|savings]
// DIR defaults to $CUMULUS_SHARED_DATA, else `shared/data` beside the repo checkout.
import Foundation
import PlacementCore

// MARK: - Data

func dataDirectory() -> URL {
    let arguments = CommandLine.arguments
    if let flag = arguments.firstIndex(of: "--data"), flag + 1 < arguments.count {
        return URL(fileURLWithPath: arguments[flag + 1])
    }
    if let environment = ProcessInfo.processInfo.environment["CUMULUS_SHARED_DATA"] {
        return URL(fileURLWithPath: environment)
    }
    // Benchmarks/PlacementBench/main.swift → up three folders → shared/data (through symlinks too).
    let file = URL(fileURLWithPath: #filePath)
    let candidates = [file, file.resolvingSymlinksInPath()].map {
        $0.deletingLastPathComponent().appendingPathComponent("../../../shared/data").standardizedFileURL
    }
    return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("latency_results.csv").path) }
        ?? candidates[0]
}

func read(_ directory: URL, _ name: String) -> [UInt8] {
    let path = directory.appendingPathComponent(name).path
    guard let data = FileManager.default.contents(atPath: path) else {
        FileHandle.standardError.write(Data("placement-bench: cannot read \(path); pass --data DIR or set CUMULUS_SHARED_DATA\n".utf8))
        exit(1)
    }
    return [UInt8](data)
}

func loadCatalogue() -> CloudCatalogue {
    let directory = dataDirectory()
    do {
        let aws = try PriceCSVParser.parse(bytes: read(directory, "cloud_price_AWS.csv"), file: "cloud_price_AWS.csv")
        let gcp = try PriceCSVParser.parse(bytes: read(directory, "cloud_price_GCP.csv"), file: "cloud_price_GCP.csv")
        let latency = try LatencyCSVParser.parse(bytes: read(directory, "latency_results.csv"), file: "latency_results.csv")
        print("data: \(directory.path)")
        print("  AWS offers \(aws.acceptedRows) (issues \(aws.issues.count)), GCP offers \(gcp.acceptedRows) (issues \(gcp.issues.count)), "
            + "latency rows \(latency.acceptedRows), regions \(latency.value.regions.count), pairs \(latency.value.pairCount)")
        return CloudCatalogue(offers: aws.value + gcp.value, egress: .approximateDefaults, latency: latency.value)
    } catch {
        FileHandle.standardError.write(Data("placement-bench: \(error)\n".utf8))
        exit(1)
    }
}

// MARK: - Timing

func milliseconds(_ duration: Duration) -> Double {
    let (seconds, attoseconds) = duration.components
    return Double(seconds) * 1000 + Double(attoseconds) / 1e15
}

/// Median, minimum and maximum wall time in ms of `runs` calls after `warmup` unmeasured ones.
func measure<T>(runs: Int, warmup: Int, _ body: () throws -> T) rethrows -> (median: Double, min: Double, max: Double, last: T) {
    var last = try body()
    for _ in 0..<max(0, warmup - 1) { last = try body() }
    var times: [Double] = []
    let clock = ContinuousClock()
    for _ in 0..<runs {
        let start = clock.now
        last = try body()
        times.append(milliseconds(clock.now - start))
    }
    times.sort()
    return (times[times.count / 2], times.first!, times.last!, last)
}

func f(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }

func describe(_ option: PlacementOption) -> String {
    "\(option.offer.region.id) \(option.offer.instanceType): \(f(option.cost.totalUSD)) USD/month "
        + "(instance \(f(option.cost.instanceUSD)), aggregator egress \(f(option.cost.aggregatorEgressUSD)), "
        + "participant egress \(f(option.cost.participantEgressUSD))), round \(f(option.roundTime.seconds, 3)) s"
}

// MARK: - Sections

/// 50 participants, two in each of the 25 latency regions, 100 MB model, hourly rounds.
func fiftyParticipants(_ catalogue: CloudCatalogue) -> FederationWorkload {
    let regions = catalogue.latency.regions
    return FederationWorkload(
        participants: (0..<50).map { regions[$0 % regions.count] }, modelBytes: 100e6, schedule: .interval(seconds: 3600))
}

let sizeRule = PlacementConstraints(minVCPU: 2, minMemoryGB: 8)

/// 1. The exact front over the whole catalogue for 50 participants.
func benchExactFront(_ catalogue: CloudCatalogue) throws {
    let planner = AggregatorPlanner(catalogue: catalogue)
    let workload = fiftyParticipants(catalogue)
    let request = PlacementRequest(workload: workload, constraints: sizeRule)
    let exact = try measure(runs: 51, warmup: 5) { try planner.plan(request) }
    print("\n[exact front] \(catalogue.offers.count) offers × 50 participants (25 regions), min 2 vCPU / 8 GB")
    print("  median \(f(exact.median, 3)) ms (min \(f(exact.min, 3)), max \(f(exact.max, 3)), 51 runs; target < 10 ms)")
    print("  feasible \(exact.last.feasibleOffers), front \(exact.last.front.count) points")
    // The generic sort-and-sweep alone over every feasible point (the planner first keeps only
    // each region's cheapest offers, which is exact because round time depends on the region).
    let points = catalogue.offers.compactMap { offer -> ObjectivePoint? in
        guard offer.vCPU >= 2, offer.memoryGB >= 8, case let .success(option) = planner.evaluate(offer, for: workload) else { return nil }
        return option.objectives
    }
    let sweep = measure(runs: 51, warmup: 5) { ParetoFront.nonDominatedIndices(points) }
    print("  generic sweep alone over all \(points.count) feasible points: median \(f(sweep.median, 3)) ms "
        + "(front \(sweep.last.count) points, same as the planner's: \(sweep.last.count == exact.last.front.count))")
}

/// 2. NSGA-II, k = 3, population 100 × 200 generations, the same 50 participants.
func benchNSGA2(_ catalogue: CloudCatalogue) throws {
    let workload = fiftyParticipants(catalogue)
    let request = HierarchicalRequest(workload: workload, constraints: sizeRule, regionalCount: 3)
    let configuration = NSGA2Configuration(populationSize: 100, generations: 200, seed: 2025)
    let planner = HierarchicalPlanner(catalogue: catalogue)
    let run = try measure(runs: 3, warmup: 1) { try planner.optimise(request, configuration: configuration) }
    let result = run.last
    print("\n[NSGA-II] k = 3, population 100 × 200 generations, 50 participants, \(result.candidateRegions.count) candidate regions, seed 2025")
    print("  median \(f(run.median, 1)) ms (min \(f(run.min, 1)), max \(f(run.max, 1)), 3 runs; target < 2000 ms)")
    print("  evaluations \(result.evaluations), front \(result.front.count) points")
    print("  hypervolume \(f(result.hypervolume, 1)) USD·s, normalised \(f(result.normalisedHypervolume, 4)) "
        + "(reference \(f(result.referencePoint.cost)) USD, \(f(result.referencePoint.time, 3)) s)")
    let box = result.referencePoint.cost * result.referencePoint.time
    let history = result.hypervolumeHistory
    print("  normalised hypervolume by generation: "
        + [0, 10, 25, 50, 100, 150, 200].filter { $0 < history.count }.map { "g\($0) \(f(history[$0] / box, 4))" }.joined(separator: ", "))
    if let cheapest = result.front.first, let fastest = result.front.last {
        print("  cheapest tree \(f(cheapest.cost.totalUSD)) USD / \(f(cheapest.roundTime.seconds, 3)) s; "
            + "fastest tree \(f(fastest.cost.totalUSD)) USD / \(f(fastest.roundTime.seconds, 3)) s")
    }
    let single = try AggregatorPlanner(catalogue: catalogue).plan(PlacementRequest(workload: workload, constraints: sizeRule))
    if let cheapest = single.costFirst, let fastest = single.latencyFirst {
        print("  for comparison, one aggregator: cheapest \(f(cheapest.cost.totalUSD)) USD / \(f(cheapest.roundTime.seconds, 3)) s; "
            + "fastest \(f(fastest.cost.totalUSD)) USD / \(f(fastest.roundTime.seconds, 3)) s")
    }
}

/// 3. Savings in the 5-region scenario the tests use: AWS us-east-1, eu-central-1 (×2),
/// ap-northeast-1 (no prices: participant only), GCP europe-west4, asia-southeast1.
func benchSavings(_ catalogue: CloudCatalogue) throws {
    let workload = FederationWorkload(
        participants: [
            RegionID(.aws, "us-east-1"), RegionID(.aws, "eu-central-1"), RegionID(.aws, "eu-central-1"),
            RegionID(.aws, "ap-northeast-1"), RegionID(.gcp, "europe-west4"), RegionID(.gcp, "asia-southeast1"),
        ],
        modelBytes: 100e6, schedule: .interval(seconds: 3600))
    let planner = AggregatorPlanner(catalogue: catalogue)
    let costFirst = try planner.plan(PlacementRequest(workload: workload, constraints: sizeRule, preference: 0, baselineSeed: 7))
    let latencyFirst = try planner.plan(PlacementRequest(workload: workload, constraints: sizeRule, preference: 1, baselineSeed: 7))
    print("\n[savings] 6 participants in 5 regions (AWS + GCP), 100 MB model, hourly rounds (730/month), min 2 vCPU / 8 GB")
    print("  feasible options \(costFirst.feasibleOffers), front \(costFirst.front.count) points")
    print("  cost-first (preference 0):    \(costFirst.recommended.map(describe) ?? "none")")
    print("  latency-first (preference 1): \(latencyFirst.recommended.map(describe) ?? "none")")
    print("  knee:                         \(costFirst.knee.map(describe) ?? "none")")
    for baseline in costFirst.baselines {
        print("  baseline \(baseline.kind):")
        switch baseline.outcome {
        case let .notFeasible(reason):
            print("    \(reason)")
        case let .option(option):
            print("    \(describe(option))")
            // Positive = the chosen point saves; negative = it costs more / is slower.
            for (label, report, point) in [("cost-first", costFirst, SelectedPoint.recommended),
                                           ("latency-first", latencyFirst, .recommended), ("knee", costFirst, .knee)] {
                guard let saving = report.savings(of: point, against: baseline.kind) else { continue }
                print("    \(label.padding(toLength: 13, withPad: " ", startingAt: 0)) saves \(f(saving.costUSD)) USD/month "
                    + "(\(f(saving.costPercent, 1)) %) and \(f(saving.roundTimeSeconds, 3)) s per round (\(f(saving.roundTimePercent, 1)) %)")
            }
        }
    }
}

// MARK: - Main

/// `--only exact|nsga|savings` runs one section (for profiling); default: all.
func runs(_ section: String) -> Bool {
    let arguments = CommandLine.arguments
    guard let flag = arguments.firstIndex(of: "--only"), flag + 1 < arguments.count else { return true }
    return arguments[flag + 1] == section
}

let catalogue = loadCatalogue()
do {
    if runs("exact") { try benchExactFront(catalogue) }
    if runs("nsga") { try benchNSGA2(catalogue) }
    if runs("savings") { try benchSavings(catalogue) }
} catch {
    FileHandle.standardError.write(Data("placement-bench: \(error)\n".utf8))
    exit(1)
}
