import Dispatch
import Foundation

/// Runs a program to completion off Swift's cooperative thread pool (waiting for a process
/// blocks a thread, and the pool has only as many threads as cores).
enum ProcessRunner {
    struct Outcome: Sendable {
        var status: Int32
        var standardError: String
        var standardOutput: String = ""
    }

    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: executable)
                    process.arguments = arguments
                    if let environment { process.environment = environment }
                    let errors = Pipe()
                    let output = Pipe()
                    process.standardError = errors
                    process.standardOutput = output
                    try process.run()
                    // Both pipes drain at once, so neither can fill and stall the program.
                    let group = DispatchGroup()
                    nonisolated(unsafe) var printed = Data()
                    group.enter()
                    DispatchQueue.global().async {
                        printed = output.fileHandleForReading.readDataToEndOfFile()
                        group.leave()
                    }
                    let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                    group.wait()
                    process.waitUntilExit()
                    continuation.resume(returning: Outcome(status: process.terminationStatus, standardError: text,
                                                           standardOutput: String(decoding: printed, as: UTF8.self)))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}
