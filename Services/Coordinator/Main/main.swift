import CumulusKit
import CoordinatorService

await ServiceShell.main(CoordinatorService.definition)
