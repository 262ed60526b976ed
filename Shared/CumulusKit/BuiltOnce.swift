import Synchronization

/// A value built on first use and shared afterwards. A service's parts (stores, engines) need its
/// `ServiceDependencies`, which exist only once the shell has started; the routes, background
/// work and start-up hooks that ask for them first all get the same instance.
public final class BuiltOnce<Value: Sendable>: Sendable {
    private let value = Mutex<Value?>(nil)

    public init() {}

    /// The value, built by `build` on the first call (under the lock, so exactly once).
    public func get(_ build: () -> Value) -> Value {
        value.withLock { value in
            if let value { return value }
            let built = build()
            value = built
            return built
        }
    }
}
