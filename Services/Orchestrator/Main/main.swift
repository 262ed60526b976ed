import CumulusKit
import OrchestratorService

await ServiceShell.main(OrchestratorService.definition)
