import CumulusKit
import RegistryService

await ServiceShell.main(RegistryService.definition)
