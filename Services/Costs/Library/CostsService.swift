import CumulusAPI
import CumulusKit

/// The costs service: price catalogue, metering, billing and budgets.
///
/// Its domain arrives with its own issue; until then it runs the shell (health, readiness,
/// metrics, OpenAPI, migrations of its schema) so the suite, gateway and monitoring are real.
public enum CostsService {
    public static let migrations: [Migration] = []

    public static let definition = ServiceDefinition(
        service: .costs,
        openAPI: OpenAPIDocument(service: .costs, summary: "Cumulus costs: price catalogue, metering, billing and budgets."),
        migrations: migrations
    )
}
