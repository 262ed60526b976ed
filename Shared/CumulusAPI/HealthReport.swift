/// What `/healthz` and `/readyz` answer. `checks` names each dependency and whether it is usable,
/// so an operator sees at once which one keeps a service from being ready.
public struct HealthReport: Codable, Sendable, Equatable {
    public struct Check: Codable, Sendable, Equatable {
        public var name: String
        public var ok: Bool
        public var detail: String?

        public init(name: String, ok: Bool, detail: String? = nil) {
            self.name = name
            self.ok = ok
            self.detail = detail
        }
    }

    public var service: String
    public var status: String
    public var version: String
    public var checks: [Check]

    public init(service: String, status: String, version: String, checks: [Check]) {
        self.service = service
        self.status = status
        self.version = version
        self.checks = checks
    }
}

/// The one version string every executable reports.
public enum CumulusVersion {
    public static let current = "0.1.0"
}
