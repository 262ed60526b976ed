/// Why a provider's price or billing API could not be read. Endpoints are named by scheme, host,
/// port and path only (queries may carry API keys).
public enum PriceFetchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No usable answer: connection refused, timeout, redirect, answer too large.
    case unavailable(endpoint: String, reason: String)
    /// The provider answered with an error document (bad key, access denied, throttled).
    case rejected(endpoint: String, status: Int, code: String, message: String)
    /// The answer is not the documented shape.
    case malformed(endpoint: String, reason: String)

    public var description: String {
        switch self {
        case let .unavailable(endpoint, reason): "\(endpoint) is unavailable: \(reason)"
        case let .rejected(endpoint, status, code, message): "\(endpoint) refused the request (HTTP \(status), \(code)): \(message)"
        case let .malformed(endpoint, reason): "\(endpoint) answered in an unexpected shape: \(reason)"
        }
    }
}
