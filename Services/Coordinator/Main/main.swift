import CoordinatorService
import CumulusKit

await ServiceShell.main(.coordinator) {
    CoordinatorService.definition(settings: try CoordinatorSettings.fromEnvironment())
}
