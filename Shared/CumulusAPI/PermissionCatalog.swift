/// Every permission in the suite, named `resource:action`, in one place: services check these
/// names, governance grants them, the dashboard and CLI show them.
public enum PermissionCatalog {
    public struct Entry: Sendable, Equatable, Codable {
        public var name: String
        public var summary: String
        /// Needs a second person's approval (the two-person rule) before it takes effect.
        public var critical: Bool

        public init(_ name: String, _ summary: String, critical: Bool = false) {
            self.name = name
            self.summary = summary
            self.critical = critical
        }
    }

    public static let all: [Entry] = [
        // governance
        Entry("orgs:read", "See an organisation and its members"),
        Entry("orgs:create", "Create organisations"),
        Entry("orgs:update", "Rename an organisation, manage its settings"),
        Entry("users:read", "List users"),
        Entry("users:create", "Create users in an organisation"),
        Entry("users:update", "Disable or change users"),
        Entry("federations:read", "See a federation, its members and settings"),
        Entry("federations:create", "Create federations owned by an organisation"),
        Entry("federations:update", "Change a federation's settings"),
        Entry("federations:delete", "Delete a federation", critical: true),
        Entry("federations:invite", "Invite organisations into a federation"),
        Entry("federations:join", "Accept an invitation on behalf of an organisation"),
        Entry("roles:read", "See roles and their permissions"),
        Entry("roles:manage", "Create, change and delete custom roles"),
        Entry("roles:grant", "Grant and revoke non-admin roles"),
        Entry("roles:grant-admin", "Grant an admin role", critical: true),
        Entry("permissions:review", "See effective permissions and their use"),
        Entry("approvals:read", "See approval requests"),
        Entry("approvals:decide", "Approve or reject another user's request"),
        Entry("apikeys:manage", "Create and revoke API keys"),
        Entry("service-accounts:manage", "Create and revoke service accounts"),
        Entry("enrolment-tokens:create", "Create node enrolment tokens"),
        Entry("audit:read", "Read the audit log and verify its chain"),
        Entry("credentials:read", "List cloud credentials (never their secrets)"),
        Entry("credentials:create", "Upload cloud credentials"),
        Entry("credentials:update", "Replace cloud credentials", critical: true),
        Entry("credentials:delete", "Delete cloud credentials", critical: true),
        Entry("credentials:use", "Unseal a credential for one call to its provider (the suite's service accounts only)"),
        // costs
        Entry("prices:read", "Read the price catalogue and latency matrix"),
        Entry("prices:import", "Import price and latency tables"),
        Entry("costs:read", "Read costs and usage"),
        Entry("budgets:manage", "Create and change budgets"),
        Entry("estimates:create", "Price a template across providers"),
        // placement
        Entry("placements:read", "Read placement requests and fronts"),
        Entry("placements:create", "Request a placement"),
        Entry("deployments:read", "Read aggregator deployments"),
        Entry("deployments:manage", "Create and stop aggregator deployments"),
        // orchestrator
        Entry("nodes:read", "See nodes and their telemetry"),
        Entry("nodes:manage", "Drain, undrain and retire nodes"),
        Entry("tasks:read", "See tasks and their attempts"),
        // coordinator
        Entry("jobs:read", "See jobs, rounds and their metrics"),
        Entry("jobs:create", "Create and start training jobs"),
        Entry("jobs:cancel", "Cancel training jobs"),
        Entry("updates:submit", "Upload model updates (nodes)"),
        // registry
        Entry("models:read", "List model versions and metrics"),
        Entry("models:download", "Download model weights"),
        Entry("models:register", "Store a round's global model as a version (the coordinator)"),
        Entry("models:stage", "Move a model version to staging or archive"),
        Entry("models:promote", "Promote a model version to production", critical: true),
        Entry("models:export", "Export a model outside its federation", critical: true),
    ]

    public static let names: Set<String> = Set(all.map(\.name))
    public static let critical: Set<String> = Set(all.filter(\.critical).map(\.name))

    public static func isKnown(_ name: String) -> Bool { names.contains(name) }
}

/// The roles every installation has. Custom roles per organisation come on top.
/// The suite's own services, each with a platform service account created by governance at
/// start from `CUMULUS_GOVERNANCE_SERVICE_ACCOUNTS` (see deploy/README.md). Each holds only what
/// its calls to other services need.
public enum BuiltInServiceAccount: String, CaseIterable, Sendable {
    case coordinator, placement, costs, orchestrator, registry

    public var permissions: [String] {
        switch self {
        case .coordinator: ["jobs:create", "jobs:read", "tasks:read", "nodes:read", "models:register", "models:read", "models:download", "deployments:read"]
        case .placement: ["nodes:read"]
        case .costs: ["nodes:read", "credentials:use"]
        case .orchestrator: []
        case .registry: ["jobs:read"]
        }
    }
}

public enum BuiltInRole: String, CaseIterable, Sendable, Codable {
    case platformAdmin = "platform-admin"
    case orgAdmin = "org-admin"
    case federationOwner = "federation-owner"
    case dataScientist = "data-scientist"
    case nodeOperator = "node-operator"
    case auditor
    case viewer

    /// Permissions granted directly; inherited ones come through `inherits`.
    public var permissions: [String] {
        switch self {
        case .viewer:
            ["orgs:read", "federations:read", "roles:read", "prices:read", "costs:read", "placements:read",
             "deployments:read", "nodes:read", "tasks:read", "jobs:read", "models:read", "approvals:read", "credentials:read"]
        case .dataScientist:
            ["jobs:create", "jobs:cancel", "models:download", "models:stage", "placements:create", "estimates:create"]
        case .nodeOperator:
            ["nodes:manage", "enrolment-tokens:create"]
        case .federationOwner:
            ["federations:update", "federations:delete", "federations:invite", "models:promote", "models:export",
             "deployments:manage", "budgets:manage", "roles:grant", "approvals:decide"]
        case .orgAdmin:
            ["orgs:update", "users:read", "users:create", "users:update", "federations:create", "federations:join",
             "roles:manage", "roles:grant", "roles:grant-admin", "permissions:review", "approvals:decide", "apikeys:manage",
             "enrolment-tokens:create", "credentials:create", "credentials:update", "credentials:delete", "nodes:manage"]
        case .auditor:
            ["audit:read", "permissions:review", "users:read"]
        case .platformAdmin:
            ["orgs:create", "service-accounts:manage", "prices:import", "audit:read"]
        }
    }

    /// Roles whose permissions this role also has.
    public var inherits: [BuiltInRole] {
        switch self {
        case .viewer, .auditor: []
        case .dataScientist, .nodeOperator: [.viewer]
        case .federationOwner: [.dataScientist]
        case .orgAdmin: [.federationOwner, .nodeOperator]
        case .platformAdmin: [.orgAdmin]
        }
    }

    /// Admin roles: granting one is a critical action.
    public var isAdmin: Bool { self == .platformAdmin || self == .orgAdmin }

    /// Pairs no user may hold in the same scope: whoever audits must not administer.
    public static let mutuallyExclusive: [(BuiltInRole, BuiltInRole)] = [(.auditor, .orgAdmin), (.auditor, .platformAdmin)]
}
