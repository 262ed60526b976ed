import CumulusAPI
import CumulusKit

/// The placement service: aggregator placement (Pareto and NSGA-II) and deployments.
///
/// Its domain arrives with its own issue; until then it runs the shell (health, readiness,
/// metrics, OpenAPI, migrations of its schema) so the suite, gateway and monitoring are real.
public enum PlacementService {
    public static let migrations: [Migration] = []

    public static let definition = ServiceDefinition(
        service: .placement,
        openAPI: OpenAPIDocument(service: .placement, summary: "Cumulus placement: aggregator placement (Pareto and NSGA-II) and deployments."),
        migrations: migrations
    )
}
