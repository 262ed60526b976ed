/// The six services of the suite, with the facts every tool needs about them: the schema and
/// database role each owns and the port it listens on by default (see deploy/README.md).
public enum ServiceName: String, CaseIterable, Codable, Sendable {
    case governance
    case costs
    case placement
    case orchestrator
    case coordinator
    case registry

    /// The PostgreSQL schema this service owns; no other service's role can use it.
    public var schema: String { rawValue }

    /// The login role this service connects as.
    public var databaseRole: String { "cumulus_\(rawValue)" }

    /// Prefix of this service's environment variables, e.g. `CUMULUS_COSTS_`.
    public var environmentPrefix: String { "CUMULUS_\(rawValue.uppercased())_" }

    public var defaultPort: Int {
        switch self {
        case .governance: 8101
        case .costs: 8102
        case .placement: 8103
        case .orchestrator: 8104
        case .coordinator: 8105
        case .registry: 8106
        }
    }

    /// The external resource paths (below `/api/v1/`) that the gateway routes to this service.
    public var resourcePaths: [String] {
        switch self {
        case .governance: ["auth", "orgs", "users", "federations", "roles", "approvals", "credentials", "audit"]
        case .costs: ["prices", "latencies", "costs", "budgets", "estimates"]
        case .placement: ["placements", "deployments"]
        case .orchestrator: ["nodes", "tasks", "agent"]
        case .coordinator: ["jobs", "rounds"]
        case .registry: ["models"]
        }
    }
}
