import FederatedCore
import Foundation
import Testing

/// The poisoning experiment from the CLI, as a user reproduces it: digits split evenly (IID)
/// across 10 participants, 3 of them attacking, 15 rounds. FedAvg collapses under the model
/// poisoning attacks; every defence stays within a few points of the no-attack accuracy. (On a
/// skewed non-IID split the defences do markedly worse; the README has both tables.)
extension TrainingTests { @Suite struct PoisoningExperimentTests {
    @Test func fedAvgCollapsesUnderModelPoisoningAndTheDefencesHold() async throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "cumulus-poisoning-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let export = try await ProcessRunner.run("/usr/bin/env", [
            "python3", DigitsFederation.repository.appending(path: "examples/digits/prepare.py").path, "--out", folder,
            "--participants", "10", "--alpha", "100", "--seed", "7",
        ])
        try #require(export.status == 0, "the digits export failed: \(export.standardError)")
        let binary = (ProcessInfo.processInfo.environment["CUMULUS_TEST_BIN_DIR"] ?? ".build/debug") + "/cumulus"
        let run = try await ProcessRunner.run(binary, ["experiment", "poisoning", "--data", folder, "--attackers", "3", "--rounds", "15", "--output", "json"])
        try #require(run.status == 0, "\(run.standardError)")
        let cells = try JSONDecoder().decode([PoisoningExperiment.Cell].self, from: Data(run.standardOutput.utf8))
        print(PoisoningExperiment.markdown(cells))
        #expect(cells.count == PoisoningExperiment.standardRules.count * PoisoningExperiment.Attack.allCases.count)
        func accuracy(_ rule: String, _ attack: PoisoningExperiment.Attack) throws -> Double {
            try #require(cells.first { $0.rule == rule && $0.attack == attack }).accuracy
        }
        let clean = try accuracy("FedAvg", .none)
        #expect(clean > 0.85, "FedAvg without attack: \(clean)")
        for attack in PoisoningExperiment.Attack.allCases where attack.poisonsTheModel {
            #expect(try accuracy("FedAvg", attack) < clean - 0.15, "FedAvg under \(attack.rawValue)")
        }
        for rule in PoisoningExperiment.standardRules where rule.defence != nil {
            for attack in PoisoningExperiment.Attack.allCases {
                #expect(try accuracy(rule.label, attack) > clean - 0.03, "\(rule.label) under \(attack.rawValue)")
            }
        }
    }
}}
