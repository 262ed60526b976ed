/// The governance paths and schemas of `/openapi.yaml` (the shell adds health, metrics and problems).
enum GovernanceOpenAPI {
    static let paths = ""
    static let schemas = ""
}
