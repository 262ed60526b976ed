import CumulusKit
import GovernanceService

await ServiceShell.main(.governance) {
    GovernanceService.definition(settings: try GovernanceSettings.fromEnvironment())
}
