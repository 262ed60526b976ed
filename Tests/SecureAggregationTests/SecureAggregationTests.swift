import Testing
@testable import SecureAggregation

@Suite struct SecureAggregationModuleTests {
    @Test func moduleLinks() { _ = SecureAggregation.self }
}
