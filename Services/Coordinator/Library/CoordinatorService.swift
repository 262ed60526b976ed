import CumulusAPI
import CumulusKit

/// The coordinator service: federated jobs, rounds and aggregation.
///
/// Its domain arrives with its own issue; until then it runs the shell (health, readiness,
/// metrics, OpenAPI, migrations of its schema) so the suite, gateway and monitoring are real.
public enum CoordinatorService {
    public static let migrations: [Migration] = []

    public static let definition = ServiceDefinition(
        service: .coordinator,
        openAPI: OpenAPIDocument(service: .coordinator, summary: "Cumulus coordinator: federated jobs, rounds and aggregation."),
        migrations: migrations
    )
}
