import CumulusAPI
import CumulusKit
import Foundation
import Hummingbird
import ServiceLifecycle

/// The orchestrator service: enrolled nodes, their live health, and dynamic task assignment
/// with retries. The pure decision is `Assignment`; this shell stores, dispatches and sweeps.
public enum OrchestratorService {
    public static let migrations: [Migration] = OrchestratorMigrations.all

    public static func definition(settings: OrchestratorSettings) -> ServiceDefinition {
        let runtime = Runtime(settings: settings)
        return ServiceDefinition(
            service: .orchestrator,
            openAPI: OpenAPIDocument(service: .orchestrator, summary: "Cumulus orchestrator: nodes, health and task assignment.",
                                     paths: OrchestratorOpenAPI.paths, schemas: OrchestratorOpenAPI.schemas),
            migrations: migrations,
            addRoutes: { router, dependencies in
                let parts = runtime.parts(dependencies)
                AgentController(nodes: parts.engine.nodes, engine: parts.engine, wakeups: parts.wakeups, directory: parts.directory,
                                heartbeats: parts.heartbeats, settings: settings).addRoutes(to: router)
                OperatorController(nodes: parts.engine.nodes, engine: parts.engine).addRoutes(to: router)
            },
            backgroundServices: { dependencies in
                let parts = runtime.parts(dependencies)
                let engine = parts.engine
                let consumer = "orchestrator-\(ProcessInfo.processInfo.processIdentifier)"
                return [
                    // New tasks are decided as soon as any replica reads them; dispatch is
                    // idempotent (it only acts on a pending, due task), so redelivery is harmless.
                    StreamConsumer(stream: TaskEngine.dispatchStream, group: "orchestrator", consumer: consumer,
                                   connection: dependencies.redis.dedicatedConnection(label: "dispatch"), logger: dependencies.logger) { message in
                        guard let id = message.fields["task"].flatMap(UUID.init(uuidString:)) else { return }
                        try await engine.dispatch(id)
                    },
                    AssignmentListener(wakeups: parts.wakeups, connection: dependencies.redis.dedicatedConnection(label: "assigned"),
                                       logger: dependencies.logger),
                    Sweeper(engine: engine, metrics: dependencies.metrics),
                ]
            },
            // Every node every few seconds: their successful answers are logged at debug.
            quietRoutes: ["/api/v1/agent/heartbeat"]
        )
    }

    /// The service's long-lived parts, built once from the dependencies the shell hands every hook.
    final class Runtime: Sendable {
        struct Parts: Sendable {
            let engine: TaskEngine
            let wakeups: AssignmentWakeups
            let directory: NodeDirectory
            let heartbeats: HeartbeatWriter
        }

        let settings: OrchestratorSettings
        private let built = BuiltOnce<Parts>()

        init(settings: OrchestratorSettings) { self.settings = settings }

        func parts(_ dependencies: ServiceDependencies) -> Parts {
            built.get {
                let nodes = NodeStore(postgres: dependencies.postgres, logger: dependencies.logger)
                return Parts(
                    engine: TaskEngine(postgres: dependencies.postgres, redis: dependencies.redis, nodes: nodes, settings: settings, logger: dependencies.logger),
                    wakeups: AssignmentWakeups(), directory: NodeDirectory(), heartbeats: HeartbeatWriter(store: nodes, maximumWriters: settings.heartbeatWriters))
            }
        }
    }
}
