import Foundation

/// Reads a service's settings from environment variables: first with the service's own prefix
/// (`CUMULUS_COSTS_PORT`), then with the shared one (`CUMULUS_PORT`), so one shared value can
/// serve every service on a machine and a single service can still override it.
public struct EnvironmentReader: Sendable {
    public let servicePrefix: String
    public let sharedPrefix: String
    private let values: [String: String]

    public init(servicePrefix: String, sharedPrefix: String = "CUMULUS_", values: [String: String] = ProcessInfo.processInfo.environment) {
        self.servicePrefix = servicePrefix
        self.sharedPrefix = sharedPrefix
        self.values = values
    }

    /// The variable names that are tried for `key`, most specific first.
    public func names(for key: String) -> [String] {
        [servicePrefix + key, sharedPrefix + key]
    }

    /// The raw value and the name it was found under, if any. Empty values count as unset.
    public func lookup(_ key: String) -> (name: String, value: String)? {
        for name in names(for: key) {
            if let value = values[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty {
                return (name, value)
            }
        }
        return nil
    }

    public func string(_ key: String) -> String? { lookup(key)?.value }

    public func string(_ key: String, default fallback: String) -> String { lookup(key)?.value ?? fallback }

    public func requiredString(_ key: String) throws -> String {
        guard let found = lookup(key) else {
            throw ConfigurationError(variable: names(for: key)[0], problem: "is required but not set (nor \(names(for: key)[1]))")
        }
        return found.value
    }

    public func integer(_ key: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        guard let found = lookup(key) else { return fallback }
        guard let value = Int(found.value), range.contains(value) else {
            throw ConfigurationError(
                variable: found.name,
                problem: "must be a whole number from \(range.lowerBound) to \(range.upperBound), got '\(found.value)'"
            )
        }
        return value
    }

    public func choice<T: RawRepresentable & CaseIterable>(_ key: String, default fallback: T) throws -> T where T.RawValue == String {
        guard let found = lookup(key) else { return fallback }
        guard let value = T(rawValue: found.value.lowercased()) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigurationError(variable: found.name, problem: "must be one of \(allowed), got '\(found.value)'")
        }
        return value
    }

    public func url(_ key: String, schemes: Set<String>) throws -> URL? {
        guard let found = lookup(key) else { return nil }
        guard let url = URL(string: found.value), let scheme = url.scheme?.lowercased(), schemes.contains(scheme), url.host != nil else {
            throw ConfigurationError(
                variable: found.name,
                problem: "must be a URL with scheme \(schemes.sorted().joined(separator: " or ")) and a host, got '\(found.value)'"
            )
        }
        return url
    }
}
