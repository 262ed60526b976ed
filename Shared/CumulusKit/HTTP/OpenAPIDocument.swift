import Foundation
import CumulusAPI

/// Builds a service's `/openapi.yaml`: the shell's own endpoints and schemas, plus the paths the
/// service describes. Services pass their paths as YAML already indented under `paths:`.
public struct OpenAPIDocument: Sendable {
    public let service: ServiceName
    public let summary: String
    public let paths: String
    public let schemas: String

    public init(service: ServiceName, summary: String, paths: String = "", schemas: String = "") {
        self.service = service
        self.summary = summary
        self.paths = paths
        self.schemas = schemas
    }

    public var yaml: String {
        """
        openapi: 3.1.0
        info:
          title: Cumulus \(service.rawValue) API
          version: \(CumulusVersion.current)
          description: "\(summary.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))"
        servers:
          - url: /
        paths:
          /healthz:
            get:
              summary: The process is alive.
              operationId: healthz
              responses:
                '200':
                  description: Alive.
                  content:
                    application/json:
                      schema: {$ref: '#/components/schemas/HealthReport'}
          /readyz:
            get:
              summary: The database, Redis and the schema's migrations are all usable.
              operationId: readyz
              responses:
                '200':
                  description: Ready.
                  content:
                    application/json:
                      schema: {$ref: '#/components/schemas/HealthReport'}
                '503':
                  description: Not ready; `checks` names what is missing.
                  content:
                    application/json:
                      schema: {$ref: '#/components/schemas/HealthReport'}
          /metrics:
            get:
              summary: Prometheus metrics in the text exposition format.
              operationId: metrics
              responses:
                '200':
                  description: Metrics.
                  content:
                    text/plain:
                      schema: {type: string}
          /openapi.yaml:
            get:
              summary: This document.
              operationId: openapi
              responses:
                '200':
                  description: The OpenAPI document.
                  content:
                    application/yaml:
                      schema: {type: string}
        \(paths)
        components:
          responses:
            Problem:
              description: An RFC 9457 problem naming what is wrong.
              content:
                application/problem+json:
                  schema: {$ref: '#/components/schemas/Problem'}
          securitySchemes:
            bearer:
              type: http
              scheme: bearer
              bearerFormat: JWT
          schemas:
            Problem:
              type: object
              description: RFC 9457 problem details.
              required: [type, title, status]
              properties:
                type: {type: string}
                title: {type: string}
                status: {type: integer}
                detail: {type: string}
                instance: {type: string}
                requestId: {type: string}
                errors:
                  type: array
                  items:
                    type: object
                    required: [field, reason]
                    properties:
                      field: {type: string}
                      reason: {type: string}
                      limit: {type: string}
            HealthReport:
              type: object
              required: [service, status, version, checks]
              properties:
                service: {type: string}
                status: {type: string}
                version: {type: string}
                checks:
                  type: array
                  items:
                    type: object
                    required: [name, ok]
                    properties:
                      name: {type: string}
                      ok: {type: boolean}
                      detail: {type: string}
        \(schemas)
        """
    }

    /// Routes (`METHOD /path` with `{name}` captures) that the document does not describe, so a
    /// service's tests can insist that every endpoint it serves is documented.
    public func undocumented(_ routes: [(method: String, path: String)]) -> [String] {
        var documented: Set<String> = []
        var currentPath: String?
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                currentPath = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":"), let path = currentPath {
                documented.insert("\(line.trimmingCharacters(in: .whitespaces).dropLast().uppercased()) \(path)")
            } else if !line.hasPrefix(" "), !line.isEmpty {
                currentPath = nil
            }
        }
        return routes.map { "\($0.method.uppercased()) \($0.path)" }.filter { !documented.contains($0) }.sorted()
    }
}
