import CumulusAPI
import CumulusKit

/// The governance service: identity, RBAC, tenancy, approvals, audit and cloud credentials.
///
/// Its domain arrives with its own issue; until then it runs the shell (health, readiness,
/// metrics, OpenAPI, migrations of its schema) so the suite, gateway and monitoring are real.
public enum GovernanceService {
    public static let migrations: [Migration] = []

    public static let definition = ServiceDefinition(
        service: .governance,
        openAPI: OpenAPIDocument(service: .governance, summary: "Cumulus governance: identity, RBAC, tenancy, approvals, audit and cloud credentials."),
        migrations: migrations
    )
}
