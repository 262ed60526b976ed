/// The placement service's paths and schemas of `/openapi.yaml` (the shell adds health, metrics
/// and the Problem schema). PlacementTests checks every registered route is listed here.
enum PlacementOpenAPI {
    struct Operation {
        var method: String
        var id: String
        var summary: String
        var request: String?
        var response: String?
        var status = "200"
        var query: [String] = []
        var errors = ["400", "401", "403", "404"]
    }

    static let operations: [(path: String, operations: [Operation])] = [
        ("/api/v1/placements", [
            Operation(method: "post", id: "createPlacement",
                      summary: "Where should the aggregator(s) run: the Pareto front of monthly cost and round time, the recommendation, the knee and baselines.",
                      request: "NewPlacement", response: "Placement", status: "201", errors: ["400", "401", "403", "404", "422", "502"]),
            Operation(method: "get", id: "listPlacements", summary: "A federation's placements, newest first.", response: "PlacementList",
                      query: ["federationId", "limit"]),
        ]),
        ("/api/v1/placements/{id}", [Operation(method: "get", id: "getPlacement", summary: "A placement with its front, baselines and savings.",
                                               response: "Placement")]),
        ("/api/v1/deployments", [
            Operation(method: "post", id: "createDeployment",
                      summary: "Deploy one front point: embedded starts the endpoint(s) at once; terraform renders the configuration.",
                      request: "NewDeployment", response: "Deployment", status: "201", errors: ["400", "401", "403", "404", "409", "422", "503"]),
            Operation(method: "get", id: "listDeployments", summary: "A federation's deployments, newest first.", response: "DeploymentList",
                      query: ["federationId", "status", "limit"]),
        ]),
        ("/api/v1/deployments/{id}", [Operation(method: "get", id: "getDeployment",
                                                summary: "A deployment: status and the endpoint a job binds to.", response: "Deployment")]),
        ("/api/v1/deployments/{id}/start", [Operation(method: "post", id: "startDeployment",
                                                      summary: "Start (terraform: init and apply); emits aggregator-hours start events.",
                                                      response: "Deployment", errors: ["401", "403", "404", "409", "502", "503"])]),
        ("/api/v1/deployments/{id}/stop", [Operation(method: "post", id: "stopDeployment",
                                                     summary: "Stop (terraform: destroy); emits the last aggregator-hours.",
                                                     response: "Deployment", errors: ["401", "403", "404", "409", "502", "503"])]),
    ]

    static var paths: String {
        var yaml = ""
        for (path, operations) in operations {
            yaml += "      \(path):\n"
            for op in operations {
                yaml += "        \(op.method):\n          operationId: \(op.id)\n          summary: \"\(op.summary)\"\n          security: [{bearer: []}]\n"
                var parameters = op.query.map { "            - {name: \($0), in: query, required: \($0 == "federationId" ? "true" : "false"), schema: {type: string}}\n" }
                if path.contains("{id}") { parameters.insert("            - {name: id, in: path, required: true, schema: {type: string, format: uuid}}\n", at: 0) }
                if !parameters.isEmpty { yaml += "          parameters:\n" + parameters.joined() }
                if let request = op.request {
                    yaml += "          requestBody:\n            required: true\n            content:\n              application/json: {schema: {$ref: '#/components/schemas/\(request)'}}\n"
                }
                yaml += "          responses:\n            '\(op.status)':\n              description: OK.\n"
                if let response = op.response { yaml += "              content:\n                application/json: {schema: {$ref: '#/components/schemas/\(response)'}}\n" }
                for code in op.errors { yaml += "            '\(code)': {$ref: '#/components/responses/Problem'}\n" }
            }
        }
        // The document inserts paths as they are: keys at two spaces.
        return yaml.split(separator: "\n", omittingEmptySubsequences: false).map { $0.dropFirst(4) }.joined(separator: "\n")
    }

    static let schemas = """
            CloudRegion: {type: object, required: [provider, region], properties: {provider: {type: string, enum: [aws, gcp, azure, openstack]}, region: {type: string, minLength: 1, maxLength: 64}}}
            ParticipantLocation: {type: object, required: [provider, region], properties: {provider: {type: string, enum: [aws, gcp, azure, openstack]}, region: {type: string, minLength: 1, maxLength: 64}, count: {type: integer, minimum: 1, maximum: 1000}}}
            PlacementConstraints: {type: object, properties: {maxMonthlyCostUSD: {type: number, minimum: 0, maximum: 1000000000}, maxRoundSeconds: {type: number, minimum: 0.001, maximum: 1000000}, minVCPU: {type: integer, minimum: 0, maximum: 4096}, minMemoryGB: {type: number, minimum: 0, maximum: 65536}, allowedProviders: {type: array, minItems: 1, items: {type: string, enum: [aws, gcp, azure, openstack]}}, allowedRegions: {type: array, minItems: 1, maxItems: 500, items: {$ref: '#/components/schemas/CloudRegion'}}, residency: {type: string, description: "anywhere, eu, continents:<name>[,…] (northAmerica, southAmerica, europe, asia, oceania, africa, middleEast) or countries:<ISO 3166-1 alpha-2>[,…]"}}}
            HierarchicalSettings: {type: object, required: [regionalCount], properties: {regionalCount: {type: integer, minimum: 1, maximum: 20}, populationSize: {type: integer, minimum: 2, maximum: 500, default: 100}, generations: {type: integer, minimum: 0, maximum: 1000, default: 200}, seed: {type: integer, minimum: 0, default: 0}}, description: "populationSize × (generations + 1) may be at most 200000."}
            NewPlacement: {type: object, required: [federationId, modelBytes], description: "Give exactly one of roundIntervalSeconds and roundsPerMonth. Without participants, the federation's nodes are asked of the orchestrator (one participant per organisation).", properties: {federationId: {type: string, format: uuid}, participants: {type: array, minItems: 1, items: {$ref: '#/components/schemas/ParticipantLocation'}}, modelBytes: {type: number, minimum: 1, maximum: 1000000000000}, updateBytes: {type: number, minimum: 0, maximum: 1000000000000}, rounds: {type: integer, minimum: 1, maximum: 10000000}, roundIntervalSeconds: {type: number, minimum: 1, maximum: 31536000}, roundsPerMonth: {type: number, minimum: 0.001, maximum: 2628000}, constraints: {$ref: '#/components/schemas/PlacementConstraints'}, preference: {type: number, minimum: 0, maximum: 1, default: 0.5, description: "0 = cheapest, 1 = fastest"}, mode: {type: string, enum: [single, hierarchical], default: single}, hierarchical: {$ref: '#/components/schemas/HierarchicalSettings'}, baselineSeed: {type: integer, minimum: 0, default: 0}}}
            AggregatorSite: {type: object, required: [provider, region, instanceType, vCPU, memoryGB, hourlyUSD], properties: {provider: {type: string}, region: {type: string}, instanceType: {type: string}, vCPU: {type: integer}, memoryGB: {type: number}, hourlyUSD: {type: number}}}
            CostBreakdown: {type: object, required: [instanceUSD, aggregatorEgressUSD, participantEgressUSD], properties: {instanceUSD: {type: number}, aggregatorEgressUSD: {type: number}, participantEgressUSD: {type: number}}}
            PlacementPoint: {type: object, required: [site, monthlyCostUSD, cost, roundSeconds, bottleneck], properties: {frontIndex: {type: integer}, site: {$ref: '#/components/schemas/AggregatorSite'}, regional: {type: array, items: {$ref: '#/components/schemas/AggregatorSite'}}, assignment: {type: array, items: {type: integer}}, monthlyCostUSD: {type: number}, cost: {$ref: '#/components/schemas/CostBreakdown'}, roundSeconds: {type: number}, bottleneck: {$ref: '#/components/schemas/CloudRegion'}, campaignCostUSD: {type: number}}}
            Baseline: {type: object, required: [kind, label], properties: {kind: {type: string, enum: [cheapestInstance, random, mostCommonParticipantRegion]}, label: {type: string}, option: {$ref: '#/components/schemas/PlacementPoint'}, unavailable: {type: string}}}
            Savings: {type: object, required: [point, baseline, costUSD, costPercent, roundSeconds, roundPercent], properties: {point: {type: string, enum: [recommended, knee, costFirst, latencyFirst]}, baseline: {type: string}, costUSD: {type: number}, costPercent: {type: number}, roundSeconds: {type: number}, roundPercent: {type: number}}}
            CatalogueSummary: {type: object, required: [source, description, offers, pricedRegions, latencyPairs], properties: {source: {type: string}, description: {type: string}, offers: {type: integer}, pricedRegions: {type: integer}, latencyPairs: {type: integer}}}
            Evolution: {type: object, required: [regionalCount, populationSize, generations, seed, evaluations, hypervolume, normalisedHypervolume, hypervolumeHistory, referenceCostUSD, referenceRoundSeconds, candidateRegions], properties: {regionalCount: {type: integer}, populationSize: {type: integer}, generations: {type: integer}, seed: {type: integer}, evaluations: {type: integer}, hypervolume: {type: number}, normalisedHypervolume: {type: number}, hypervolumeHistory: {type: array, items: {type: number}}, referenceCostUSD: {type: number}, referenceRoundSeconds: {type: number}, candidateRegions: {type: array, items: {$ref: '#/components/schemas/CloudRegion'}}}}
            Placement: {type: object, required: [id, federationId, createdBy, createdAt, mode, request, participants, participantsSource, roundsPerMonth, catalogue, modelVersion, front, baselines, savings, exclusions], properties: {id: {type: string, format: uuid}, federationId: {type: string, format: uuid}, createdBy: {type: string}, createdAt: {type: string, format: date-time}, mode: {type: string, enum: [single, hierarchical]}, request: {$ref: '#/components/schemas/NewPlacement'}, participants: {type: array, items: {$ref: '#/components/schemas/CloudRegion'}}, participantsSource: {type: string, enum: [request, orchestrator]}, roundsPerMonth: {type: number}, catalogue: {$ref: '#/components/schemas/CatalogueSummary'}, modelVersion: {type: integer}, front: {type: array, items: {$ref: '#/components/schemas/PlacementPoint'}}, recommended: {$ref: '#/components/schemas/PlacementPoint'}, knee: {$ref: '#/components/schemas/PlacementPoint'}, costFirst: {$ref: '#/components/schemas/PlacementPoint'}, latencyFirst: {$ref: '#/components/schemas/PlacementPoint'}, baselines: {type: array, items: {$ref: '#/components/schemas/Baseline'}}, savings: {type: array, items: {$ref: '#/components/schemas/Savings'}}, evaluatedOffers: {type: integer}, feasibleOffers: {type: integer}, exclusions: {type: array, items: {type: object, required: [reason, count], properties: {reason: {type: string}, count: {type: integer}}}}, evolution: {$ref: '#/components/schemas/Evolution'}}}
            PlacementList: {type: object, required: [placements], properties: {placements: {type: array, items: {type: object, required: [id, federationId, mode, createdAt, createdBy, frontSize], properties: {id: {type: string, format: uuid}, federationId: {type: string, format: uuid}, mode: {type: string}, createdAt: {type: string, format: date-time}, createdBy: {type: string}, frontSize: {type: integer}, recommended: {$ref: '#/components/schemas/PlacementPoint'}}}}}}
            NewDeployment: {type: object, required: [placementId], properties: {placementId: {type: string, format: uuid}, frontIndex: {type: integer, minimum: 0}, point: {type: string, enum: [recommended, knee, costFirst, latencyFirst], default: recommended}, provisioner: {type: string, enum: [embedded, terraform], default: embedded}}}
            DeploymentStatus: {type: string, enum: [rendered, starting, running, stopping, stopped, failed]}
            DeployedAggregator: {type: object, required: [id, role, site], properties: {id: {type: string, format: uuid}, role: {type: string, enum: [single, global, regional]}, slot: {type: integer}, site: {$ref: '#/components/schemas/AggregatorSite'}, endpoint: {type: string, description: "Base URL: GET /healthz, GET /identity"}}}
            Deployment: {type: object, required: [id, federationId, placementId, frontIndex, provisioner, status, aggregators, monthlyCostUSD, roundSeconds, createdBy, createdAt], properties: {id: {type: string, format: uuid}, federationId: {type: string, format: uuid}, placementId: {type: string, format: uuid}, frontIndex: {type: integer}, provisioner: {type: string, enum: [embedded, terraform]}, status: {$ref: '#/components/schemas/DeploymentStatus'}, endpoint: {type: string, description: "The global (or single) aggregator while running: what a job binds to."}, aggregators: {type: array, items: {$ref: '#/components/schemas/DeployedAggregator'}}, monthlyCostUSD: {type: number}, roundSeconds: {type: number}, createdBy: {type: string}, createdAt: {type: string, format: date-time}, startedAt: {type: string, format: date-time}, stoppedAt: {type: string, format: date-time}, terraformDirectory: {type: string}, lastError: {type: string}}}
            DeploymentList: {type: object, required: [deployments], properties: {deployments: {type: array, items: {$ref: '#/components/schemas/Deployment'}}}}
        """
}
