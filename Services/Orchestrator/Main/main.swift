import CumulusKit
import OrchestratorService

await ServiceShell.main(.orchestrator) {
    OrchestratorService.definition(settings: try OrchestratorSettings.fromEnvironment())
}
