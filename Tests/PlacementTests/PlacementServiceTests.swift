import Testing

@testable import PlacementService

@Suite struct PlacementServiceModuleTests {
    @Test func definitionNamesTheService() { #expect(PlacementService.definition.service == .placement) }
}
