import CloudTestSupport

/// The cloud peers and moto, as the shared test support names them.
typealias TestEnvironment = CloudTestEnvironment
