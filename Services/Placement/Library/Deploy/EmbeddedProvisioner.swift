import CumulusAPI
import CumulusKit
import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// The embedded default: each aggregator of a deployment is a real HTTP endpoint started inside
/// the placement service's process, on this machine, on a port the kernel picks.
///
/// How real it is: the endpoint listens and answers `GET /healthz` and `GET /identity` with the
/// deployment, federation, role and chosen site, so the coordinator can find it (through
/// `GET /api/v1/deployments/{id}`) and check it is up. It does not aggregate anything yet: the
/// aggregation engine arrives with the coordinator, which will serve on the endpoint the
/// deployment records. The chosen provider, region and instance type are recorded and metered as
/// chosen, though the endpoint runs here. Endpoints live as long as this process: when the
/// service restarts, `resume` starts the running deployments' endpoints again (their URLs may
/// change, and the deployment record is updated).
final class EmbeddedProvisioner: Provisioner {
    let kind = ProvisionerKind.embedded
    let host: String
    let advertiseHost: String
    let logger: Logger
    private let running = Mutex<[UUID: Task<Void, any Error>]>([:])

    init(host: String, advertiseHost: String?, logger: Logger) {
        self.host = host
        self.advertiseHost = advertiseHost ?? host
        self.logger = logger
    }

    func prepare(_ plan: DeploymentPlan) async throws -> String? { nil }

    func start(_ plan: DeploymentPlan) async throws -> [UUID: String] {
        var endpoints: [UUID: String] = [:]
        do {
            for aggregator in plan.aggregators {
                let port = try await listen(aggregator, of: plan)
                endpoints[aggregator.id] = "http://\(advertiseHost.contains(":") ? "[\(advertiseHost)]" : advertiseHost):\(port)"
            }
        } catch {
            try await stop(plan)
            throw error
        }
        return endpoints
    }

    func stop(_ plan: DeploymentPlan) async throws {
        for aggregator in plan.aggregators {
            guard let task = running.withLock({ $0.removeValue(forKey: aggregator.id) }) else { continue }
            task.cancel()
            _ = await task.result
            logger.info("embedded aggregator stopped", metadata: ["deployment": "\(plan.id)", "aggregator": "\(aggregator.id)"])
        }
    }

    /// Whether this process currently serves the aggregator.
    func isServing(_ aggregator: UUID) -> Bool { running.withLock { $0[aggregator] != nil } }

    private func listen(_ aggregator: PlannedAggregator, of plan: DeploymentPlan) async throws -> Int {
        if running.withLock({ $0[aggregator.id] != nil }) { try await stop(DeploymentPlan(id: plan.id, federationId: plan.federationId, placementId: plan.placementId, frontIndex: plan.frontIndex, aggregators: [aggregator])) }
        let identity = AggregatorIdentity(aggregatorId: aggregator.id, deploymentId: plan.id, federationId: plan.federationId, role: aggregator.role,
                                          site: aggregator.site, provisioner: .embedded, startedAt: Date(), status: "ok")
        let router = Router(context: BasicRequestContext.self)
        router.get("/healthz") { _, _ in try Response.json(identity) }
        router.get("/identity") { _, _ in try Response.json(identity) }
        var logger = self.logger
        logger[metadataKey: "aggregator"] = "\(aggregator.id)"
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname(host, port: 0), serverName: "cumulus-aggregator"),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            }, logger: logger)
        let failure = Mutex<String?>(nil)
        let task = Task {
            do {
                try await app.runService(gracefulShutdownSignals: [])
            } catch {
                failure.withLock { $0 = "\(error)" }
                continuation.finish()
                throw error
            }
            continuation.finish()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            task.cancel()
            throw ProvisionerError.listenFailed(host: host, detail: failure.withLock { $0 } ?? "the server stopped before it listened")
        }
        running.withLock { $0[aggregator.id] = task }
        self.logger.info("embedded aggregator listening", metadata: ["deployment": "\(plan.id)", "aggregator": "\(aggregator.id)",
                                                                     "role": "\(aggregator.role)", "port": "\(port)"])
        return port
    }
}
