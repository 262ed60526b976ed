import CostsService
import CumulusKit

await ServiceShell.main(.costs) {
    CostsService.definition(settings: try CostsSettings.fromEnvironment())
}
