import CumulusKit
import Foundation
import Logging
import ServiceLifecycle

/// Clock-driven work of every replica: publishes budget firings left unpublished (a crash
/// between commit and publish), and refreshes the cost and budget gauges from PostgreSQL.
struct CostsRefresher: Service {
    let runtime: CostsService.Parts
    let interval: Duration

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await runtime.publishFirings()
                    try await runtime.refreshGauges(federation: nil)
                } catch is CancellationError {
                    break
                } catch {
                    runtime.logger.error("costs refresh failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
