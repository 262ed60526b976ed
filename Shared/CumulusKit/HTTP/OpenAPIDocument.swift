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

extension OpenAPIDocument {
    /// One operation of a service's API, for services that list their paths as data rather
    /// than YAML text; `paths(_:)` renders them as the document expects.
    public struct Operation: Sendable {
        public var method: String
        public var id: String
        public var summary: String
        public var request: String?
        public var response: String?
        public var status = "200"
        public var query: [String] = []
        public var errors = ["400", "401", "403", "404"]
        /// Other answers without a body, by status code (e.g. 204 for a long-poll that timed out).
        public var others: [String: String] = [:]
        /// Query parameters that must be given.
        public var requiredQuery: Set<String> = []

        public init(method: String, id: String, summary: String, request: String? = nil, response: String? = nil, status: String = "200",
                    query: [String] = [], requiredQuery: Set<String> = [], errors: [String] = ["400", "401", "403", "404"], others: [String: String] = [:]) {
            self.method = method; self.id = id; self.summary = summary; self.request = request; self.response = response
            self.status = status; self.query = query; self.requiredQuery = requiredQuery; self.errors = errors; self.others = others
        }
    }

    /// The operations as YAML under `paths:` (path keys at two spaces).
    public static func paths(_ operations: [(path: String, operations: [Operation])]) -> String {
        var yaml = ""
        for (path, operations) in operations {
            yaml += "      \(path):\n"
            for op in operations {
                yaml += "        \(op.method):\n          operationId: \(op.id)\n          summary: \"\(op.summary)\"\n          security: [{bearer: []}]\n"
                var parameters = op.query.map { "            - {name: \($0), in: query, required: \(op.requiredQuery.contains($0)), schema: {type: string}}\n" }
                if path.contains("{id}") { parameters.insert("            - {name: id, in: path, required: true, schema: {type: string, format: uuid}}\n", at: 0) }
                if !parameters.isEmpty { yaml += "          parameters:\n" + parameters.joined() }
                if let request = op.request {
                    yaml += "          requestBody:\n            required: true\n            content:\n              application/json: {schema: {$ref: '#/components/schemas/\(request)'}}\n"
                }
                yaml += "          responses:\n            '\(op.status)':\n              description: OK.\n"
                if let response = op.response { yaml += "              content:\n                application/json: {schema: {$ref: '#/components/schemas/\(response)'}}\n" }
                for (code, description) in op.others.sorted(by: { $0.key < $1.key }) { yaml += "            '\(code)': {description: \(description)}\n" }
                for code in op.errors { yaml += "            '\(code)': {$ref: '#/components/responses/Problem'}\n" }
            }
        }
        // The document inserts paths as they are: keys at two spaces.
        return yaml.split(separator: "\n", omittingEmptySubsequences: false).map { $0.dropFirst(4) }.joined(separator: "\n")
    }
}
