import Testing

@testable import CloudClients
