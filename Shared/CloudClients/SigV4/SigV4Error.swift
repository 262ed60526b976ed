/// Why a request could not be signed. Carries the URL (never a credential).
public enum SigV4Error: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidURL(String, reason: String)

    public var description: String {
        switch self {
        case .invalidURL(let url, let reason): "cannot sign request for '\(url)': \(reason)"
        }
    }
}
