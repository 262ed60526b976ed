import Logging
import ServiceLifecycle
import Synchronization
import Testing
@testable import CumulusKit

/// Background services wait for the shell's start-up (migrations, then the service's own work)
/// before they touch the database, and a shutdown before it ends them without starting.
@Suite struct AfterStartupTests {
    final class Probe: Service, Sendable {
        let started = Mutex(false)
        func run() async throws {
            started.withLock { $0 = true }
            try? await gracefulShutdown()
        }
    }

    @Test func theServiceStartsOnlyOnceTheGateOpens() async throws {
        let gate = StartupGate()
        let probe = Probe()
        let group = ServiceGroup(configuration: .init(services: [AfterStartup(service: probe, gate: gate)], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await Task.sleep(for: .milliseconds(300))
            #expect(!probe.started.withLock { $0 }, "nothing runs before start-up is done")
            gate.open()
            for _ in 0..<50 where !probe.started.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(20)) }
            #expect(probe.started.withLock { $0 })
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test func aShutdownBeforeStartUpEndsTheServiceWithoutStartingIt() async throws {
        let probe = Probe()
        let group = ServiceGroup(configuration: .init(services: [AfterStartup(service: probe, gate: StartupGate())], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await Task.sleep(for: .milliseconds(100))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(!probe.started.withLock { $0 })
    }
}
