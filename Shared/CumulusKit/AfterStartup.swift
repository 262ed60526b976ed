import ServiceLifecycle
import Synchronization

/// Opened by the shell once the migrations are applied and the service's own start-up work is
/// done. The server listens only after that, but background services start with the PostgreSQL
/// client (the migrations need it), so they wait here instead of failing on tables not made yet.
final class StartupGate: Sendable {
    private let opened = Mutex(false)

    func open() { opened.withLock { $0 = true } }

    var isOpen: Bool { opened.withLock { $0 } }

    /// Returns once the gate is open; throws when the task is cancelled.
    func wait() async throws {
        while !isOpen { try await Task.sleep(for: .milliseconds(100)) }
    }
}

/// A background service that starts its work once the gate opens; a shutdown that comes first
/// ends it without starting.
struct AfterStartup: Service {
    let service: any Service
    let gate: StartupGate

    func run() async throws {
        try? await cancelWhenGracefulShutdown { try await gate.wait() }
        guard gate.isOpen else { return }
        try await service.run()
    }
}
