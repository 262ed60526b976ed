import CumulusKit
import PlacementService

await ServiceShell.main(.placement) {
    try PlacementService.definition(settings: try PlacementSettings.fromEnvironment())
}
