import CumulusKit
import CostsService

await ServiceShell.main(CostsService.definition)
