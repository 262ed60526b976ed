import Testing

@testable import CostsService

@Suite struct CostsServiceModuleTests {
    @Test func definitionNamesTheService() { #expect(CostsService.definition.service == .costs) }
}
