import CumulusKit
import GovernanceService

await ServiceShell.main(GovernanceService.definition)
