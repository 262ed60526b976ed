import CumulusKit
import PlacementService

await ServiceShell.main(PlacementService.definition)
