import Testing

@testable import PlacementCore
