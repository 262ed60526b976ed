import Testing
@testable import CostsCore

@Suite struct CostsCoreModuleTests {
    @Test func moduleLinks() { _ = CostsCore.self }
}
