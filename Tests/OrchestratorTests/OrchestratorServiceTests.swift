import CumulusAPI
import CumulusKit
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import Prometheus
import Testing

@testable import OrchestratorService

@Suite struct OrchestratorServiceTests {
    @Test func everyOrchestratorRouteIsDocumented() throws {
        let definition = OrchestratorService.definition(settings: OrchestratorSettings())
        let routes = try definition.registeredRoutes()
        #expect(routes.count >= 12)
        #expect(definition.openAPI.undocumented(routes) == [])
    }

    @Test func impossibleTelemetryIsRefusedNamingTheFieldAndLimit() {
        let good = Telemetry(cpuPercent: 50, memoryUsedBytes: 1 << 30, memoryTotalBytes: 8 << 30, diskUsedBytes: 0, diskFreeBytes: 1 << 30, load: [1, 1, 1])
        #expect(throws: Never.self) { try OrchestratorValidation.heartbeat(Heartbeat(telemetry: good, datasets: [])) }
        func field(_ change: (inout Telemetry) -> Void) -> String? {
            var telemetry = good
            change(&telemetry)
            do { try OrchestratorValidation.heartbeat(Heartbeat(telemetry: telemetry, datasets: [])) } catch let problem as Problem {
                return problem.details.errors?.first?.field
            } catch { return "unexpected \(error)" }
            return nil
        }
        #expect(field { $0.cpuPercent = 500 } == "telemetry.cpuPercent")
        #expect(field { $0.cpuPercent = .nan } == "telemetry.cpuPercent")
        #expect(field { $0.memoryUsedBytes = -1 } == "telemetry.memoryUsedBytes")
        #expect(field { $0.memoryUsedBytes = 9 << 30 } == "telemetry.memoryUsedBytes", "more used than there is")
        #expect(field { $0.diskFreeBytes = -1 } == "telemetry.diskFreeBytes")
        #expect(field { $0.load = [1, 2, 3, 4] } == "telemetry.load")
        #expect(field { $0.gpus = [GPUTelemetry(index: 0, name: "A100", memoryTotalBytes: 10, memoryUsedBytes: 5, utilisationPercent: 101)] }
                == "telemetry.gpus[0].utilisationPercent")
    }

    @Test func tasksOutsideTheLimitsAreRefused() {
        func field(_ task: NewTask) -> String? {
            do { try OrchestratorValidation.newTask(task) } catch let problem as Problem { return problem.details.errors?.first?.field } catch { return "?" }
            return nil
        }
        let base = NewTask(federationId: UUID(), organisationId: UUID(), kind: "probe")
        #expect(field(base) == nil)
        var task = base
        task.kind = "mine-bitcoin"
        #expect(field(task) == "kind")
        task = base
        task.requirement.maximumCPUUtilisation = 1.5
        #expect(field(task) == "requirement.maximumCPUUtilisation")
        task = base
        task.maxAttempts = 0
        #expect(field(task) == "maxAttempts")
        task = base
        task.requirement.dataset = "../../etc/passwd"
        #expect(field(task) == "requirement.dataset")
    }

    @Test func retriesBackOffExponentiallyUpToThirtySeconds() {
        var settings = OrchestratorSettings()
        settings.retryBackoff = .milliseconds(500)
        #expect(settings.backoffSeconds(afterAttempt: 1) == 0.5)
        #expect(settings.backoffSeconds(afterAttempt: 3) == 2)
        #expect(settings.backoffSeconds(afterAttempt: 12) == 30)
    }
}
