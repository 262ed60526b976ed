import CumulusAPI
import CumulusKit
import Foundation
import Hummingbird

/// The registry: every round's global model, content-addressed on disk under the data folder,
/// with its metadata and metrics in PostgreSQL.
public enum RegistryService {
    public static let migrations: [Migration] = RegistryMigrations.all

    public static let definition = ServiceDefinition(
        service: .registry,
        openAPI: OpenAPIDocument(service: .registry, summary: "Cumulus registry: model versions, metrics and downloads.",
                                 paths: RegistryOpenAPI.paths, schemas: RegistryOpenAPI.schemas),
        migrations: migrations,
        addRoutes: { router, dependencies in
            RegistryController(
                postgres: dependencies.postgres, blobs: DiskBlobStore(root: URL(fileURLWithPath: dependencies.configuration.dataDirectory).appending(path: "blobs")),
                governanceURL: dependencies.configuration.governanceURL, internalClient: dependencies.internalClient, logger: dependencies.logger
            ).addRoutes(to: router)
        }
    )
}

enum RegistryOpenAPI {
    static let paths = """
      /api/v1/models/blobs/{sha256}:
        put:
          operationId: uploadModel
          summary: "Upload a safetensors model file under its SHA-256 (streamed; the hash is checked)."
          parameters:
            - {name: sha256, in: path, required: true, schema: {type: string}}
            - {name: federationId, in: query, required: true, schema: {type: string, format: uuid}}
          requestBody:
            required: true
            content:
              application/octet-stream: {schema: {type: string, format: binary}}
          responses:
            '201': {description: Stored.}
            '400': {$ref: '#/components/responses/Problem'}
            '401': {$ref: '#/components/responses/Problem'}
            '403': {$ref: '#/components/responses/Problem'}
            '413': {$ref: '#/components/responses/Problem'}
        get:
          operationId: downloadModel
          summary: "Download a model file (ETag, If-None-Match, Range)."
          parameters:
            - {name: sha256, in: path, required: true, schema: {type: string}}
          responses:
            '200': {description: The file., content: {application/octet-stream: {schema: {type: string, format: binary}}}}
            '206': {description: Part of the file.}
            '304': {description: Not modified.}
            '401': {$ref: '#/components/responses/Problem'}
            '404': {$ref: '#/components/responses/Problem'}
            '416': {description: The range is outside the file.}
      /api/v1/models/versions:
        post:
          operationId: registerVersion
          summary: "Record a round's global model as a version (the coordinator)."
          requestBody:
            required: true
            content:
              application/json: {schema: {$ref: '#/components/schemas/NewModelVersion'}}
          responses:
            '201': {description: Created., content: {application/json: {schema: {$ref: '#/components/schemas/ModelVersion'}}}}
            '400': {$ref: '#/components/responses/Problem'}
            '401': {$ref: '#/components/responses/Problem'}
            '403': {$ref: '#/components/responses/Problem'}
        get:
          operationId: listVersions
          summary: "Versions of a federation, filtered by job and stage."
          parameters:
            - {name: federationId, in: query, required: true, schema: {type: string, format: uuid}}
            - {name: jobId, in: query, required: false, schema: {type: string, format: uuid}}
            - {name: stage, in: query, required: false, schema: {type: string, enum: [none, staging, production, archived]}}
          responses:
            '200': {description: OK., content: {application/json: {schema: {type: object, properties: {versions: {type: array, items: {$ref: '#/components/schemas/ModelVersion'}}}}}}}
            '400': {$ref: '#/components/responses/Problem'}
            '401': {$ref: '#/components/responses/Problem'}
            '404': {$ref: '#/components/responses/Problem'}
      /api/v1/models/versions/{id}:
        get:
          operationId: getVersion
          summary: "One version."
          parameters:
            - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
          responses:
            '200': {description: OK., content: {application/json: {schema: {$ref: '#/components/schemas/ModelVersion'}}}}
            '401': {$ref: '#/components/responses/Problem'}
            '404': {$ref: '#/components/responses/Problem'}
      /api/v1/models/versions/{id}/stage:
        post:
          operationId: stageVersion
          summary: "Move a version to staging, production (with an approved approval) or archived."
          parameters:
            - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
          requestBody:
            required: true
            content:
              application/json: {schema: {type: object, required: [stage], properties: {stage: {type: string, enum: [none, staging, production, archived]}, approvalId: {type: string, format: uuid}}}}
          responses:
            '200': {description: OK., content: {application/json: {schema: {$ref: '#/components/schemas/ModelVersion'}}}}
            '400': {$ref: '#/components/responses/Problem'}
            '401': {$ref: '#/components/responses/Problem'}
            '403': {$ref: '#/components/responses/Problem'}
            '404': {$ref: '#/components/responses/Problem'}
            '409': {$ref: '#/components/responses/Problem'}
      /api/v1/models/retention:
        post:
          operationId: applyRetention
          summary: "Keep a job's best version, its last N and every staged one; remove the rest and their unused files."
          requestBody:
            required: true
            content:
              application/json: {schema: {type: object, required: [jobId, keepLast], properties: {jobId: {type: string, format: uuid}, keepLast: {type: integer, minimum: 1}, metric: {type: string}, direction: {type: string, enum: [min, max]}}}}
          responses:
            '200': {description: What was kept and removed., content: {application/json: {schema: {type: object, properties: {kept: {type: array, items: {type: integer}}, removed: {type: array, items: {type: integer}}, freedBytes: {type: integer}}}}}}
            '400': {$ref: '#/components/responses/Problem'}
            '401': {$ref: '#/components/responses/Problem'}
            '403': {$ref: '#/components/responses/Problem'}
            '404': {$ref: '#/components/responses/Problem'}
      /api/v1/models/best:
        get:
          operationId: bestVersion
          summary: "The best version by a metric and direction, with optional constraints."
          parameters:
            - {name: jobId, in: query, required: false, schema: {type: string, format: uuid}}
            - {name: federationId, in: query, required: false, schema: {type: string, format: uuid}}
            - {name: metric, in: query, required: false, schema: {type: string}}
            - {name: direction, in: query, required: false, schema: {type: string, enum: [min, max]}}
            - {name: minAccuracy, in: query, required: false, schema: {type: number}}
            - {name: lastN, in: query, required: false, schema: {type: integer}}
          responses:
            '200': {description: OK., content: {application/json: {schema: {type: object, properties: {version: {$ref: '#/components/schemas/ModelVersion'}, metric: {type: string}, value: {type: number}, reason: {type: string}}}}}}
            '400': {$ref: '#/components/responses/Problem'}
            '401': {$ref: '#/components/responses/Problem'}
            '404': {$ref: '#/components/responses/Problem'}
    """

    static let schemas = """
        NewModelVersion: {type: object, required: [jobId, federationId, jobName, round, sha256, strategy, participants, examples, metrics], properties: {jobId: {type: string, format: uuid}, federationId: {type: string, format: uuid}, jobName: {type: string}, round: {type: integer}, sha256: {type: string}, strategy: {type: string}, participants: {type: integer}, examples: {type: integer}, metrics: {type: object, additionalProperties: {type: number}}}}
        ModelVersion: {type: object, required: [id, jobId, federationId, jobName, round, sha256, bytes, strategy, participants, examples, metrics, stage, createdAt], properties: {id: {type: string, format: uuid}, jobId: {type: string, format: uuid}, federationId: {type: string, format: uuid}, jobName: {type: string}, round: {type: integer}, sha256: {type: string}, bytes: {type: integer}, strategy: {type: string}, participants: {type: integer}, examples: {type: integer}, metrics: {type: object, additionalProperties: {type: number}}, stage: {type: string, enum: [none, staging, production, archived]}, createdAt: {type: string, format: date-time}}}
    """
}
