import CumulusAPI
import CumulusKit
import Foundation
import Hummingbird
import ServiceLifecycle

/// The coordinator: jobs, the round loop (one leader among replicas), update intake and
/// federated evaluation. The maths is FederatedCore's; this shell stores, asks and waits.
public enum CoordinatorService {
    public static let migrations: [Migration] = CoordinatorMigrations.all

    public static func definition(settings: CoordinatorSettings) -> ServiceDefinition {
        let runtime = Runtime(settings: settings)
        return ServiceDefinition(
            service: .coordinator,
            openAPI: OpenAPIDocument(service: .coordinator, summary: "Cumulus coordinator: jobs, rounds and aggregation.",
                                     paths: CoordinatorOpenAPI.paths, schemas: CoordinatorOpenAPI.schemas),
            migrations: migrations,
            addRoutes: { router, dependencies in
                let parts = runtime.parts(dependencies)
                JobController(store: parts.store, peers: parts.peers, logger: dependencies.logger).addRoutes(to: router)
                SecureController(store: parts.store, metrics: parts.metrics, logger: dependencies.logger).addRoutes(to: router)
                UpdateController(store: parts.store, peers: parts.peers, models: parts.models, keys: parts.keys,
                                 folder: URL(fileURLWithPath: dependencies.configuration.dataDirectory).appending(path: "updates"),
                                 metrics: parts.metrics, logger: dependencies.logger).addRoutes(to: router)
            },
            backgroundServices: { dependencies in
                let parts = runtime.parts(dependencies)
                return [Conductor(store: parts.store, peers: parts.peers, models: parts.models, settings: settings, postgres: dependencies.postgres,
                                  metrics: parts.metrics, keys: parts.keys, secureMemory: SecureRoundMemory(), logger: dependencies.logger)]
            }
        )
    }

    final class Runtime: Sendable {
        struct Parts: Sendable {
            let store: JobStore
            let peers: Peers
            let models: ModelCache
            let keys: NodeKeys
            let metrics: TrainingMetrics
        }

        let settings: CoordinatorSettings
        private let built = BuiltOnce<Parts>()

        init(settings: CoordinatorSettings) { self.settings = settings }

        func parts(_ dependencies: ServiceDependencies) -> Parts {
            built.get {
                let peers = Peers(client: dependencies.internalClient, settings: settings)
                let parts = Parts(store: JobStore(postgres: dependencies.postgres, logger: dependencies.logger), peers: peers,
                                  models: ModelCache(peers: peers), keys: NodeKeys(peers: peers),
                                  metrics: TrainingMetrics(registry: dependencies.metrics))
                return parts
            }
        }
    }
}

enum CoordinatorOpenAPI {
    static let paths = """
      /api/v1/jobs:
        post:
          operationId: createJob
          summary: "Queue a training job in a federation, optionally bound to a running aggregator deployment."
          requestBody:
            required: true
            content:
              application/json: {schema: {$ref: '#/components/schemas/NewJob'}}
          responses:
            '201': {description: Queued., content: {application/json: {schema: {$ref: '#/components/schemas/Job'}}}}
            '400': {$ref: '#/components/responses/Problem'}
            '401': {$ref: '#/components/responses/Problem'}
            '403': {$ref: '#/components/responses/Problem'}
            '409': {$ref: '#/components/responses/Problem'}
            '502': {$ref: '#/components/responses/Problem'}
            '503': {$ref: '#/components/responses/Problem'}
        get:
          operationId: listJobs
          summary: "A federation's jobs, newest first."
          parameters:
            - {name: federationId, in: query, required: true, schema: {type: string, format: uuid}}
          responses:
            '200': {description: OK., content: {application/json: {schema: {type: object, properties: {jobs: {type: array, items: {$ref: '#/components/schemas/Job'}}}}}}}
            '400': {$ref: '#/components/responses/Problem'}
            '401': {$ref: '#/components/responses/Problem'}
            '404': {$ref: '#/components/responses/Problem'}
      /api/v1/jobs/{id}:
        get:
          operationId: getJob
          summary: "A job with every round: participants, stragglers, metrics."
          parameters:
            - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
          responses:
            '200': {description: OK., content: {application/json: {schema: {$ref: '#/components/schemas/Job'}}}}
            '401': {$ref: '#/components/responses/Problem'}
            '404': {$ref: '#/components/responses/Problem'}
      /api/v1/jobs/{id}/cancel:
        post:
          operationId: cancelJob
          summary: "Cancel a queued or running job."
          parameters:
            - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
          responses:
            '200': {description: OK., content: {application/json: {schema: {$ref: '#/components/schemas/Job'}}}}
            '401': {$ref: '#/components/responses/Problem'}
            '403': {$ref: '#/components/responses/Problem'}
            '404': {$ref: '#/components/responses/Problem'}
            '409': {$ref: '#/components/responses/Problem'}
      /api/v1/jobs/{id}/approve:
        post:
          operationId: approveJob
          summary: "Approve a queued job that requires approval (someone other than its creator, with approvals:decide)."
          parameters:
            - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
          responses:
            '200': {description: OK., content: {application/json: {schema: {$ref: '#/components/schemas/Job'}}}}
            '401': {$ref: '#/components/responses/Problem'}
            '403': {$ref: '#/components/responses/Problem'}
            '404': {$ref: '#/components/responses/Problem'}
            '409': {$ref: '#/components/responses/Problem'}
      /api/v1/jobs/{id}/events:
        get:
          operationId: jobEvents
          summary: "Server-sent events of the job's progress (Last-Event-ID resumes)."
          parameters:
            - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
          responses:
            '200': {description: An event stream., content: {text/event-stream: {schema: {type: string}}}}
            '401': {$ref: '#/components/responses/Problem'}
            '404': {$ref: '#/components/responses/Problem'}
      /api/v1/jobs/{id}/rounds/{round}/update:
        put:
          operationId: uploadUpdate
          summary: "A node's model update for a round: safetensors, signed (X-Cumulus-Signature), with X-Cumulus-Task and X-Cumulus-Examples."
          parameters:
            - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
            - {name: round, in: path, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              application/octet-stream: {schema: {type: string, format: binary}}
          responses:
            '201': {description: Accepted and stored., content: {application/json: {schema: {$ref: '#/components/schemas/UpdateReceipt'}}}}
            '400': {$ref: '#/components/responses/Problem'}
            '401': {$ref: '#/components/responses/Problem'}
            '403': {$ref: '#/components/responses/Problem'}
            '404': {$ref: '#/components/responses/Problem'}
            '409': {$ref: '#/components/responses/Problem'}
            '413': {$ref: '#/components/responses/Problem'}
      /api/v1/jobs/{id}/rounds/{round}/secure/join:
        post:
          operationId: joinSecureRound
          summary: "A node takes its organisation's place in a securely aggregated round (after training); answers the attempt number."
          parameters:
            - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
            - {name: round, in: path, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              application/json: {schema: {type: object, required: [taskId], properties: {taskId: {type: string, format: uuid}}}}
          responses:
            '202': {description: Joined., content: {application/json: {schema: {type: object, required: [attempt], properties: {attempt: {type: integer}}}}}}
            '400': {$ref: '#/components/responses/Problem'}
            '401': {$ref: '#/components/responses/Problem'}
            '403': {$ref: '#/components/responses/Problem'}
            '404': {$ref: '#/components/responses/Problem'}
            '409': {$ref: '#/components/responses/Problem'}
            '503': {$ref: '#/components/responses/Problem'}
      /api/v1/jobs/{id}/rounds/{round}/secure/{attempt}/{stage}:
        get:
          operationId: secureStageInput
          summary: "What the node needs to act at a SecAgg+ stage: the configuration (advertiseKeys), its neighbours' keys (shareKeys), the shares addressed to it (maskedInput), the survivor list (consistencyCheck) or the signed unmasking request (unmasking). 204 until ready; 410 once the node can no longer take part."
          parameters:
            - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
            - {name: round, in: path, required: true, schema: {type: integer}}
            - {name: attempt, in: path, required: true, schema: {type: integer}}
            - {name: stage, in: path, required: true, schema: {type: string, enum: [advertiseKeys, shareKeys, maskedInput, consistencyCheck, unmasking]}}
          responses:
            '200': {description: The stage's input for this node., content: {application/json: {schema: {type: object}}}}
            '204': {description: Not yet.}
            '400': {$ref: '#/components/responses/Problem'}
            '401': {$ref: '#/components/responses/Problem'}
            '403': {$ref: '#/components/responses/Problem'}
            '404': {$ref: '#/components/responses/Problem'}
            '409': {$ref: '#/components/responses/Problem'}
            '410': {$ref: '#/components/responses/Problem'}
        post:
          operationId: secureStageMessage
          summary: "The node's signed SecAgg+ message for the stage the round is at (KeyAdvertisement, ShareBundle, SecAggContribution with the masked input, ConsistencySignature, UnmaskingResponse)."
          parameters:
            - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
            - {name: round, in: path, required: true, schema: {type: integer}}
            - {name: attempt, in: path, required: true, schema: {type: integer}}
            - {name: stage, in: path, required: true, schema: {type: string, enum: [advertiseKeys, shareKeys, maskedInput, consistencyCheck, unmasking]}}
          requestBody:
            required: true
            content:
              application/json: {schema: {type: object}}
          responses:
            '202': {description: Stored for the round., content: {application/json: {schema: {type: object, required: [stage, attempt], properties: {stage: {type: string}, attempt: {type: integer}}}}}}
            '400': {$ref: '#/components/responses/Problem'}
            '401': {$ref: '#/components/responses/Problem'}
            '403': {$ref: '#/components/responses/Problem'}
            '404': {$ref: '#/components/responses/Problem'}
            '409': {$ref: '#/components/responses/Problem'}
            '410': {$ref: '#/components/responses/Problem'}
            '413': {$ref: '#/components/responses/Problem'}
    """

    static let schemas = """
        NewJob: {type: object, required: [federationId, name, model, dataset, strategy, rounds, fractionFit, minFitClients, minAvailableClients, roundDeadlineSeconds, local, evaluateEvery, seed], properties: {federationId: {type: string, format: uuid}, name: {type: string}, model: {type: object, required: [architecture, inputs, hiddenLayers, classes], properties: {architecture: {type: string, enum: [logistic, mlp]}, inputs: {type: integer}, hiddenLayers: {type: array, items: {type: integer}}, classes: {type: integer}, initialModelHash: {type: string}}}, dataset: {type: string}, strategy: {type: object, required: [name, hyperparameters], properties: {name: {type: string, enum: [fedavg, fedprox, fedavgm, fedadam, fedyogi, fedadagrad]}, hyperparameters: {type: object, additionalProperties: {type: number}}}}, rounds: {type: integer, minimum: 1}, fractionFit: {type: number}, minFitClients: {type: integer}, minAvailableClients: {type: integer}, roundDeadlineSeconds: {type: integer}, local: {type: object, properties: {epochs: {type: integer}, batchSize: {type: integer}, learningRate: {type: number}, momentum: {type: number}, weightDecay: {type: number}}}, evaluateEvery: {type: integer}, seed: {type: integer}, externalTrainer: {type: string}, requireApproval: {type: boolean}, defence: {type: object, required: [name], properties: {name: {type: string, enum: [fedmedian, fedtrimmedavg, krum, bulyan, fedqv, reputation]}, hyperparameters: {type: object, additionalProperties: {type: number}}}}, deploymentId: {type: string, format: uuid, description: "a running aggregator deployment of the federation"}, privacy: {type: object, required: [clipping, noiseMultiplier, clippingNorm], properties: {clipping: {type: string, enum: [server-fixed, server-adaptive, client-fixed]}, noiseMultiplier: {type: number}, clippingNorm: {type: number}, targetClippedQuantile: {type: number}, clipNormLearningRate: {type: number}, delta: {type: number}, targetEpsilon: {type: number}}}, secureAggregation: {type: object, description: "SecAgg+: the coordinator learns only the sum (not with a defence or privacy)", properties: {threshold: {type: number, description: "fraction of the joined agents, in (0.5, 1]"}, clippingRange: {type: number}, maxExamples: {type: integer}, stageTimeoutSeconds: {type: integer}, neighbours: {type: integer, description: "SecAgg+ ring degree; absent: everyone with everyone"}}}}}
        Round: {type: object, required: [round, state, openedAt, invited, accepted, stragglers, rejectedUpdates, examples], properties: {round: {type: integer}, state: {type: string, enum: [open, evaluating, closed, failed]}, openedAt: {type: string, format: date-time}, closedAt: {type: string, format: date-time}, invited: {type: array, items: {type: string, format: uuid}}, accepted: {type: array, items: {type: string, format: uuid}}, stragglers: {type: object, additionalProperties: {type: string}}, rejectedUpdates: {type: integer}, examples: {type: integer}, trainLoss: {type: number}, evaluationLoss: {type: number}, evaluationAccuracy: {type: number}, modelHash: {type: string}, verdicts: {type: array, items: {type: object, required: [organisationId, decision, influence, reason], properties: {organisationId: {type: string, format: uuid}, decision: {type: string, enum: [kept, downWeighted, excluded]}, influence: {type: number}, score: {type: number}, reason: {type: string}}}}, epsilon: {type: number}, clippedUpdates: {type: integer}, secure: {type: object, required: [session, joined, threshold, contributors, dropped, abortedAttempts], properties: {session: {type: string}, joined: {type: integer}, threshold: {type: integer}, contributors: {type: array, items: {type: string, format: uuid}}, dropped: {type: object, additionalProperties: {type: string}}, abortedAttempts: {type: array, items: {type: string}}}}}}
        Job: {type: object, required: [id, federationId, name, spec, state, completedRounds, createdBy, createdAt, rounds], properties: {id: {type: string, format: uuid}, federationId: {type: string, format: uuid}, name: {type: string}, spec: {$ref: '#/components/schemas/NewJob'}, state: {type: string, enum: [queued, running, succeeded, failed, cancelled]}, completedRounds: {type: integer}, globalModelHash: {type: string}, error: {type: string}, createdBy: {type: string}, approvedBy: {type: string}, createdAt: {type: string, format: date-time}, startedAt: {type: string, format: date-time}, finishedAt: {type: string, format: date-time}, aggregator: {$ref: '#/components/schemas/JobAggregator'}, stopReason: {type: string}, rounds: {type: array, items: {$ref: '#/components/schemas/Round'}}}}
        JobAggregator: {type: object, required: [deploymentId, aggregatorId, provisioner, site, endpoint, estimatedRoundSeconds, estimatedMonthlyCostUSD], properties: {deploymentId: {type: string, format: uuid}, aggregatorId: {type: string, format: uuid}, provisioner: {type: string, enum: [embedded, terraform]}, site: {type: object, required: [provider, region, instanceType], properties: {provider: {type: string}, region: {type: string}, instanceType: {type: string}, vCPU: {type: integer}, memoryGB: {type: number}, hourlyUSD: {type: number}}}, endpoint: {type: string}, estimatedRoundSeconds: {type: number}, estimatedMonthlyCostUSD: {type: number}}}
        UpdateReceipt: {type: object, required: [jobId, round, sha256, examples, bytes], properties: {jobId: {type: string, format: uuid}, round: {type: integer}, sha256: {type: string}, examples: {type: integer}, bytes: {type: integer}}}
    """
}
