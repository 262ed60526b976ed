import CumulusAPI
import CumulusKit

/// The registry service: global models, versions and metrics.
///
/// Its domain arrives with its own issue; until then it runs the shell (health, readiness,
/// metrics, OpenAPI, migrations of its schema) so the suite, gateway and monitoring are real.
public enum RegistryService {
    public static let migrations: [Migration] = []

    public static let definition = ServiceDefinition(
        service: .registry,
        openAPI: OpenAPIDocument(service: .registry, summary: "Cumulus registry: global models, versions and metrics."),
        migrations: migrations
    )
}
