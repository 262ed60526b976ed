import CumulusAPI
import CumulusKit

/// The orchestrator service: nodes, health and task assignment.
///
/// Its domain arrives with its own issue; until then it runs the shell (health, readiness,
/// metrics, OpenAPI, migrations of its schema) so the suite, gateway and monitoring are real.
public enum OrchestratorService {
    public static let migrations: [Migration] = []

    public static let definition = ServiceDefinition(
        service: .orchestrator,
        openAPI: OpenAPIDocument(service: .orchestrator, summary: "Cumulus orchestrator: nodes, health and task assignment."),
        migrations: migrations
    )
}
