import CumulusAPI
import CumulusKit
import Foundation
import Testing

@testable import CoordinatorService

@Suite struct CoordinatorServiceTests {
    @Test func everyCoordinatorRouteIsDocumented() throws {
        let definition = CoordinatorService.definition(settings: CoordinatorSettings())
        let routes = try definition.registeredRoutes()
        #expect(routes.count >= 6)
        #expect(definition.openAPI.undocumented(routes) == [])
    }

    @Test func jobSpecsOutsideTheLimitsAreRefusedNamingTheField() {
        let good = NewJob(federationId: UUID(), name: "ok", model: ModelSpec(architecture: "mlp", inputs: 64, hiddenLayers: [32], classes: 10),
                          dataset: "digits", strategy: StrategySpec(name: "fedadam", hyperparameters: ["eta": 0.01]), rounds: 10)
        func field(_ change: (inout NewJob) -> Void) -> String? {
            var spec = good
            change(&spec)
            do { try JobController.validate(spec) } catch let problem as Problem { return problem.details.errors?.first?.field } catch { return "?" }
            return nil
        }
        #expect(field { _ in } == nil)
        #expect(field { $0.strategy = StrategySpec(name: "fedmagic") } == "strategy")
        #expect(field { $0.strategy = StrategySpec(name: "fedadam", hyperparameters: ["eta": 0.01, "momentum": 0.9]) } == "strategy", "unknown hyperparameters are refused")
        #expect(field { $0.strategy = StrategySpec(name: "fedprox") } == "strategy", "fedprox needs proximalMu")
        #expect(field { $0.rounds = 0 } == "rounds")
        #expect(field { $0.fractionFit = 1.5 } == "fractionFit")
        #expect(field { $0.minAvailableClients = 0; $0.minFitClients = 1 } == "minAvailableClients")
        #expect(field { $0.minFitClients = 3; $0.minAvailableClients = 2 } == "minAvailableClients")
        #expect(field { $0.dataset = "../etc/passwd" } == "dataset")
        #expect(field { $0.model.architecture = "transformer" } == "model.architecture")
        #expect(field { $0.model = ModelSpec(architecture: "logistic", inputs: 4, hiddenLayers: [3], classes: 2) } == "model.hiddenLayers")
        #expect(field { $0.local.learningRate = 0 } == "local.learningRate")
        #expect(field { $0.roundDeadlineSeconds = 1 } == "roundDeadlineSeconds")
    }
}
