// secagg-bench: SecAgg+ overhead per round, 50 agents × 1,000,000 parameters.
// Run in release mode: `swift run -c release secagg-bench`.
//
// For each scenario, one whole round runs in memory through `SecAggSimulation` (agents one at a
// time, in one thread) and prints:
// - client masking: one agent's stage 3 (decrypt shares, quantise, expand and add the self mask
//   and one pairwise mask per neighbour), mean and max over the agents;
// - server folding: checking signatures and folding every masked input into the running sum;
// - server unmasking: checking the unmasking responses, reconstructing secrets, removing the
//   survivors' self masks and the dropped agents' pairwise masks.
// Key agreement and share distribution (stages 1–2) are negligible next to these and not shown.
import Crypto
import SecureAggregation
import SeededRandom

let agents = 50
let parameters = 1_000_000

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) * 1e-15
}

let signingKeys = SecAggSimulation.makeSigningKeys(count: agents)
let ids = signingKeys.keys.sorted()
/// Each agent's update is generated when it masks and dropped right after.
func update(_ id: AgentID) -> [Float] {
    var generator = Xoshiro256StarStar(seed: UInt64(ids.firstIndex(of: id)!))
    return (0..<parameters).map { _ in Float(0.01 * generator.nextGaussian()) }
}

let scenarios: [(name: String, graph: NeighbourGraphKind, threshold: Int, dropouts: [SecAggStage: Set<AgentID>])] = [
    ("complete graph, t = 34, no dropouts", .complete, 34, [:]),
    ("complete graph, t = 34, 5 drop after sharing", .complete, 34, [.maskedInput: Set(ids.suffix(5))]),
    ("SecAgg+ ring k = 10, t = 8, no dropouts", .randomRing(degree: 10, seed: 1), 8, [:]),
    ("SecAgg+ ring k = 10, t = 8, 5 drop after sharing", .randomRing(degree: 10, seed: 1), 8, [.maskedInput: Set(ids.suffix(5))]),
]

print("SecAgg+ per round: \(agents) agents × \(parameters) parameters (Float32 → UInt32 mod 2^32)")
for scenario in scenarios {
    let configuration = try SecAggConfiguration(
        roundID: "bench", participants: SecAggSimulation.participants(signingKeys), threshold: scenario.threshold,
        graph: scenario.graph, vectorLength: parameters, clippingBound: 1, rounding: .stochastic)
    let report = try SecAggSimulation(configuration: configuration, signingKeys: signingKeys)
        .run(dropouts: scenario.dropouts, update: update)
    let masking = report.clientMasking.values.map(milliseconds)
    print("""
        \(scenario.name): \(report.result.contributors.count) contributors, \(report.result.dropped.count) dropped
          client masking   mean \(Int(masking.reduce(0, +) / Double(masking.count))) ms, max \(Int(masking.max()!)) ms
          server folding   \(Int(milliseconds(report.serverFolding))) ms in total (\(Int(milliseconds(report.serverFolding) / Double(masking.count))) ms per input)
          server unmasking \(Int(milliseconds(report.serverUnmasking))) ms
        """)
}
