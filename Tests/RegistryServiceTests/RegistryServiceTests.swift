import CumulusKit
import Testing

@testable import RegistryService

@Suite struct RegistryServiceTests {
    @Test func everyRegistryRouteIsDocumented() throws {
        let routes = try RegistryService.definition.registeredRoutes()
        #expect(routes.count >= 7)
        #expect(RegistryService.definition.openAPI.undocumented(routes) == [])
    }

    @Test func byteRangesAreParsedLikeHTTPSays() {
        #expect(RegistryController.parseRange("bytes=0-9", size: 100) == 0..<10)
        #expect(RegistryController.parseRange("bytes=90-", size: 100) == 90..<100)
        #expect(RegistryController.parseRange("bytes=-10", size: 100) == 90..<100)
        #expect(RegistryController.parseRange("bytes=95-200", size: 100) == 95..<100, "an end past the file is clamped")
        #expect(RegistryController.parseRange("bytes=100-", size: 100) == nil, "a start past the file cannot be satisfied")
        #expect(RegistryController.parseRange("bytes=5-2", size: 100) == nil)
        #expect(RegistryController.parseRange("bytes=0-1,5-6", size: 100) == nil, "one range only")
        #expect(RegistryController.parseRange("items=0-1", size: 100) == nil)
    }
}
