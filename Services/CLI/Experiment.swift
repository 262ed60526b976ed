import ArgumentParser
import FederatedCore
import Foundation

/// `cumulus experiment poisoning`: the attack table, offline, from digits shards.
struct Experiment: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Reproducible experiments run offline with the coordinator's own round code.",
                                                    subcommands: [Poisoning.self])

    struct Poisoning: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Final accuracy of FedAvg and each defence under sign flipping, ×10 scaling, Gaussian noise and label flipping.",
            discussion: """
                Reads the shards examples/digits/prepare.py writes (--participants 10): participant-<i>/digits.csv and test.csv.
                The first --attackers participants attack; see PoisoningExperiment in FederatedCore for each attack's definition.
                """)
        @Option(help: "The folder prepare.py wrote.") var data: String
        @Option var attackers = 3
        @Option var rounds = 15
        @Option var seed: UInt64 = 1
        @Option(help: "Hidden layer sizes for an MLP, e.g. 32 (default: logistic regression).") var hidden: [Int] = []
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let shards = ((try? FileManager.default.contentsOfDirectory(atPath: data)) ?? []).filter { $0.hasPrefix("participant-") }
                .sorted { Int($0.dropFirst("participant-".count)) ?? 0 < Int($1.dropFirst("participant-".count)) ?? 0 }
            guard !shards.isEmpty else { throw refusal("no participant-<i> folders in \(data); run examples/digits/prepare.py --participants 10 --out \(data)") }
            guard (0..<shards.count).contains(attackers) else { throw refusal("--attackers must be from 0 to \(shards.count - 1), the number of participants less one") }
            guard (1...500).contains(rounds) else { throw refusal("--rounds must be from 1 to 500") }
            func load(_ path: String) throws -> TabularDataset {
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw refusal("cannot read \(path)") }
                do { return try CSVDataset.load(text, heldOutFraction: 0).train } catch { throw refusal("\(path): \(error)") }
            }
            let participants = try shards.map { try load("\(data)/\($0)/digits.csv") }
            let test = try load("\(data)/test.csv")
            let classes = (participants.flatMap(\.labels) + test.labels).max().map { $0 + 1 } ?? 2
            let architecture = try ModelArchitecture(inputCount: test.featureCount, hiddenLayers: hidden, classCount: classes)
            let setup = PoisoningExperiment.Setup(participants: participants, test: test, attackers: attackers, rounds: rounds, architecture: architecture, seed: seed)
            let total = PoisoningExperiment.standardRules.count * PoisoningExperiment.Attack.allCases.count
            var done = 0
            let cells = try PoisoningExperiment.table(setup) { cell in
                done += 1
                FileHandle.standardError.write(Data("[\(done)/\(total)] \(cell.rule), \(cell.attack.rawValue): \(String(format: "%.1f%%", cell.accuracy * 100))\n".utf8))
            }
            if output.output == .json { return try printJSON(cells) }
            print("\(participants.count) participants, \(attackers) attacking, \(rounds) rounds; final test accuracy (%) on \(test.exampleCount) held-out digits\n")
            print(PoisoningExperiment.markdown(cells))
        }
    }
}
