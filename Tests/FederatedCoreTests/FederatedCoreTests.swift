import Testing

@testable import FederatedCore
