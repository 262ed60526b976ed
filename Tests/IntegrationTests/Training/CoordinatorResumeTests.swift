import CumulusAPI
import Foundation
import Testing

/// kill -9 the coordinator in the middle of a round; after restart the job continues from
/// PostgreSQL and the update files, no accepted update is lost, and the strategy's optimiser
/// state is intact — shown by the final model being bit-for-bit the one an uninterrupted run of
/// the same job makes (FedAdam: its moments would differ if they had been lost).
extension TrainingTests { @Suite(.serialized) struct CoordinatorResumeTests {
    @Test func aKilledCoordinatorResumesTheJobAndLosesNothing() async throws {
        let federation = try await DigitsFederation.start("resume", participants: 3)
        defer { federation.stop() }
        let strategy = StrategySpec(name: "fedadam", hyperparameters: ["eta": 0.01, "tau": 0.001])
        let spec = federation.job("resume", strategy: strategy, rounds: 6, evaluateEvery: 0)

        let uninterrupted = try await federation.waitForJob(try await federation.create(spec).id)
        try #require(uninterrupted.state == .succeeded, "\(uninterrupted.error ?? "")")

        let job = try await federation.create(spec)
        var acceptedBeforeKill: [UUID] = []
        try await federation.waitUntil("round 3 has an accepted update", limit: .seconds(300)) {
            let view = try await federation.job(job.id)
            if let round = view.rounds.first(where: { $0.round == 3 }), round.state == "open", !round.accepted.isEmpty {
                acceptedBeforeKill = round.accepted
                return true
            }
            return false
        }
        let coordinator = try ServiceProcess(.coordinator)
        try coordinator.kill9()
        print("killed the coordinator (pid \(coordinator.pid)) with \(acceptedBeforeKill.count) update(s) accepted in round 3; restarting it")
        let restarted = try coordinator.restart()
        print("restarted as pid \(restarted)")

        let resumed = try await federation.waitForJob(job.id)
        #expect(resumed.state == .succeeded, "\(resumed.error ?? "")")
        #expect(resumed.completedRounds == spec.rounds)
        let round3 = try #require(resumed.rounds.first { $0.round == 3 })
        #expect(Set(acceptedBeforeKill).isSubset(of: Set(round3.accepted)), "updates accepted before the kill are in the round")
        #expect(resumed.globalModelHash == uninterrupted.globalModelHash,
                "same final model as the uninterrupted run: \(resumed.globalModelHash ?? "-") vs \(uninterrupted.globalModelHash ?? "-")")
    }
}}

/// A service the test script started, found by its PID file, killed and started again with the
/// same program and environment (read from /proc), its new PID written back for the cleanup.
struct ServiceProcess {
    let name: String
    let pid: Int32
    let executable: String
    let environment: [String: String]
    let pidFile: String
    let log: String

    init(_ service: ServiceName) throws {
        let data = try TestEnvironment.value("CUMULUS_TEST_DATA")
        name = service.rawValue
        pidFile = "\(data)/run/\(name).pid"
        log = "\(data)/logs/\(name).log"
        guard let pid = Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw CocoaError(.fileReadCorruptFile)
        }
        self.pid = pid
        executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")
        let raw = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ"))
        var environment: [String: String] = [:]
        for entry in raw.split(separator: 0) {
            let text = String(decoding: entry, as: UTF8.self)
            if let equals = text.firstIndex(of: "=") { environment[String(text[..<equals])] = String(text[text.index(after: equals)...]) }
        }
        self.environment = environment
    }

    func kill9() throws {
        kill(pid, SIGKILL)
        for _ in 0..<100 where kill(pid, 0) == 0 { usleep(50_000) }
    }

    func restart() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.environment = environment
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        try "\(process.processIdentifier)\n".write(toFile: pidFile, atomically: true, encoding: .utf8)
        return process.processIdentifier
    }
}
