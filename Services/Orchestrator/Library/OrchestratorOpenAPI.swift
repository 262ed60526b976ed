/// The orchestrator's paths and schemas of `/openapi.yaml` (the shell adds health, metrics and
/// the Problem schema). OrchestratorTests checks every registered route is listed here.
enum OrchestratorOpenAPI {
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
        ("/api/v1/agent/register", [Operation(method: "post", id: "registerNode", summary: "Register or refresh the calling node (node token).",
                                               request: "NodeRegistration", response: "Node", errors: ["400", "401", "403"])]),
        ("/api/v1/agent/heartbeat", [Operation(method: "post", id: "heartbeat", summary: "Report the calling node's telemetry and datasets.",
                                                request: "Heartbeat", response: "HeartbeatAck", errors: ["400", "401", "403", "409"])]),
        ("/api/v1/agent/tasks/next", [Operation(method: "get", id: "nextTask", summary: "Long-poll for the calling node's next task; 204 when none came.",
                                                 response: "TaskAssignment", query: ["waitSeconds"], errors: ["400", "401", "403", "409"])]),
        ("/api/v1/agent/tasks/{id}/status", [Operation(method: "post", id: "reportTask", summary: "Report progress (renews the lease), success, failure or rejection.",
                                                        request: "TaskStatusReport", response: "TaskStatusAck")]),
        ("/api/v1/nodes", [Operation(method: "get", id: "listNodes", summary: "Nodes with their current telemetry, filtered.",
                                      response: "NodeList", query: ["organisationId", "federationId", "status", "region"])]),
        ("/api/v1/nodes/{id}", [Operation(method: "get", id: "getNode", summary: "A node with its telemetry history and events.", response: "NodeDetail")]),
        ("/api/v1/nodes/{id}/drain", [Operation(method: "post", id: "drainNode", summary: "Stop giving the node new work.", response: "Node",
                                                 errors: ["401", "403", "404", "409"])]),
        ("/api/v1/nodes/{id}/undrain", [Operation(method: "post", id: "undrainNode", summary: "Return a draining or failed node to service.", response: "Node",
                                                   errors: ["401", "403", "404", "409"])]),
        ("/api/v1/tasks", [
            Operation(method: "post", id: "createTask", summary: "Create a task for one participant of a federation.", request: "NewTask", response: "Task", status: "201"),
            Operation(method: "get", id: "listTasks", summary: "Tasks, newest first.", response: "TaskList",
                      query: ["federationId", "organisationId", "state", "reference", "nodeId", "history", "limit"]),
        ]),
        ("/api/v1/tasks/{id}", [Operation(method: "get", id: "getTask", summary: "A task with its attempts, assignment decisions and transitions.", response: "Task")]),
        ("/api/v1/tasks/{id}/cancel", [Operation(method: "post", id: "cancelTask", summary: "Cancel a task that has not finished.", response: "Task",
                                                  errors: ["401", "403", "404", "409"])]),
    ]

    static var paths: String {
        var yaml = ""
        for (path, operations) in operations {
            yaml += "      \(path):\n"
            for op in operations {
                yaml += "        \(op.method):\n          operationId: \(op.id)\n          summary: \"\(op.summary)\"\n"
                var parameters = op.query.map { "            - {name: \($0), in: query, required: false, schema: {type: string}}\n" }
                if path.contains("{id}") { parameters.insert("            - {name: id, in: path, required: true, schema: {type: string, format: uuid}}\n", at: 0) }
                if !parameters.isEmpty { yaml += "          parameters:\n" + parameters.joined() }
                if let request = op.request {
                    yaml += "          requestBody:\n            required: true\n            content:\n              application/json: {schema: {$ref: '#/components/schemas/\(request)'}}\n"
                }
                yaml += "          responses:\n            '\(op.status)':\n              description: OK.\n"
                if let response = op.response { yaml += "              content:\n                application/json: {schema: {$ref: '#/components/schemas/\(response)'}}\n" }
                if op.id == "nextTask" { yaml += "            '204': {description: No task was assigned within the wait.}\n" }
                for code in op.errors { yaml += "            '\(code)': {$ref: '#/components/responses/Problem'}\n" }
            }
        }
        // The document inserts paths as they are: keys at two spaces.
        return yaml.split(separator: "\n", omittingEmptySubsequences: false).map { $0.dropFirst(4) }.joined(separator: "\n")
    }

    static let schemas = """
            Location: {type: object, properties: {provider: {type: string}, region: {type: string}, zone: {type: string}, instanceType: {type: string}}}
            Specs: {type: object, required: [vcpus, memoryBytes, diskBytes, gpus], properties: {vcpus: {type: integer, minimum: 1}, memoryBytes: {type: integer, minimum: 1}, diskBytes: {type: integer, minimum: 0}, gpus: {type: array, maxItems: 64, items: {type: object, required: [name, memoryBytes], properties: {name: {type: string}, memoryBytes: {type: integer}}}}}}
            NodeRegistration: {type: object, required: [federationId, hostname, location, specs, labels, signingPublicKey, agreementPublicKey, agentVersion], properties: {federationId: {type: string, format: uuid}, hostname: {type: string, minLength: 1, maxLength: 253}, location: {$ref: '#/components/schemas/Location'}, specs: {$ref: '#/components/schemas/Specs'}, labels: {type: object, additionalProperties: {type: string}}, signingPublicKey: {type: string}, agreementPublicKey: {type: string}, agentVersion: {type: string}}}
            Dataset: {type: object, required: [name, rows, schemaHash], properties: {name: {type: string}, rows: {type: integer, minimum: 0}, schemaHash: {type: string, minLength: 64, maxLength: 64}}}
            Telemetry: {type: object, required: [cpuPercent, memoryUsedBytes, memoryTotalBytes, diskUsedBytes, diskFreeBytes, load, gpus], properties: {cpuPercent: {type: number, minimum: 0, maximum: 100}, memoryUsedBytes: {type: integer, minimum: 0}, memoryTotalBytes: {type: integer, minimum: 1}, diskUsedBytes: {type: integer, minimum: 0}, diskFreeBytes: {type: integer, minimum: 0}, load: {type: array, maxItems: 3, items: {type: number, minimum: 0}}, gpus: {type: array, items: {type: object, properties: {index: {type: integer}, name: {type: string}, memoryTotalBytes: {type: integer}, memoryUsedBytes: {type: integer}, utilisationPercent: {type: number, minimum: 0, maximum: 100}}}}}}
            Heartbeat: {type: object, required: [telemetry, datasets], properties: {telemetry: {$ref: '#/components/schemas/Telemetry'}, datasets: {type: array, maxItems: 256, items: {$ref: '#/components/schemas/Dataset'}}}}
            HeartbeatAck: {type: object, required: [status, intervalSeconds], properties: {status: {$ref: '#/components/schemas/NodeStatus'}, intervalSeconds: {type: number}}}
            NodeStatus: {type: string, enum: [active, inactive, draining, failed]}
            Node: {type: object, required: [id, organisationId, federationId, hostname, location, specs, labels, status, registeredAt, datasets, agentVersion, signingPublicKey, agreementPublicKey], properties: {id: {type: string, format: uuid}, organisationId: {type: string, format: uuid}, federationId: {type: string, format: uuid}, hostname: {type: string}, location: {$ref: '#/components/schemas/Location'}, specs: {$ref: '#/components/schemas/Specs'}, labels: {type: object, additionalProperties: {type: string}}, status: {$ref: '#/components/schemas/NodeStatus'}, registeredAt: {type: string, format: date-time}, lastHeartbeatAt: {type: string, format: date-time}, telemetry: {$ref: '#/components/schemas/Telemetry'}, datasets: {type: array, items: {$ref: '#/components/schemas/Dataset'}}, agentVersion: {type: string}, signingPublicKey: {type: string}, agreementPublicKey: {type: string}}}
            NodeList: {type: object, required: [nodes], properties: {nodes: {type: array, items: {$ref: '#/components/schemas/Node'}}}}
            NodeDetail: {type: object, required: [node, history, events], properties: {node: {$ref: '#/components/schemas/Node'}, history: {type: array, items: {type: object, properties: {at: {type: string, format: date-time}, resolution: {type: string, enum: [raw, minute]}, cpuPercent: {type: number}, memoryPercent: {type: number}, diskFreeBytes: {type: integer}, load1: {type: number}, gpuPercent: {type: number}}}}, events: {type: array, items: {type: object, properties: {at: {type: string, format: date-time}, kind: {type: string}, detail: {type: string}}}}}}
            Requirement: {type: object, properties: {minimumVCPUs: {type: integer, minimum: 0}, minimumMemoryGB: {type: number, minimum: 0}, minimumGPUs: {type: integer, minimum: 0}, minimumFreeDiskGB: {type: number, minimum: 0}, dataset: {type: string}, maximumCPUUtilisation: {type: number, minimum: 0.01, maximum: 1}, maximumMemoryUtilisation: {type: number, minimum: 0.01, maximum: 1}, heartbeatFreshnessSeconds: {type: number, minimum: 1, maximum: 3600}}}
            NewTask: {type: object, required: [federationId, organisationId, kind, parameters, requirement], properties: {federationId: {type: string, format: uuid}, organisationId: {type: string, format: uuid}, kind: {type: string, enum: [probe, train, evaluate]}, parameters: {type: object}, requirement: {$ref: '#/components/schemas/Requirement'}, maxAttempts: {type: integer, minimum: 1, maximum: 20}, leaseSeconds: {type: integer, minimum: 2, maximum: 3600}, deadlineSeconds: {type: integer, minimum: 5, maximum: 604800}, assignment: {type: string, enum: [filtered, random]}, reference: {type: string, maxLength: 200}}}
            TaskState: {type: string, enum: [pending, assigned, running, succeeded, failed, timed_out, cancelled]}
            Verdict: {type: object, required: [nodeId, hostname, eligible, reasons], properties: {nodeId: {type: string, format: uuid}, hostname: {type: string}, eligible: {type: boolean}, reasons: {type: array, items: {type: string}}}}
            Attempt: {type: object, required: [attempt, decidedAt, outcome, verdicts], properties: {attempt: {type: integer}, nodeId: {type: string, format: uuid}, decidedAt: {type: string, format: date-time}, endedAt: {type: string, format: date-time}, outcome: {type: string}, reason: {type: string}, verdicts: {type: array, items: {$ref: '#/components/schemas/Verdict'}}}}
            Task: {type: object, required: [id, federationId, organisationId, kind, parameters, requirement, state, assignment, attempt, maxAttempts, leaseSeconds, createdAt, updatedAt, deadlineAt, attempts, transitions], properties: {id: {type: string, format: uuid}, federationId: {type: string, format: uuid}, organisationId: {type: string, format: uuid}, kind: {type: string}, parameters: {type: object}, requirement: {$ref: '#/components/schemas/Requirement'}, state: {$ref: '#/components/schemas/TaskState'}, assignment: {type: string, enum: [filtered, random]}, attempt: {type: integer}, maxAttempts: {type: integer}, leaseSeconds: {type: integer}, nodeId: {type: string, format: uuid}, progress: {type: number}, result: {type: object}, error: {type: string}, reference: {type: string}, createdAt: {type: string, format: date-time}, updatedAt: {type: string, format: date-time}, deadlineAt: {type: string, format: date-time}, attempts: {type: array, items: {$ref: '#/components/schemas/Attempt'}}, transitions: {type: array, items: {type: object, properties: {at: {type: string, format: date-time}, from: {$ref: '#/components/schemas/TaskState'}, to: {$ref: '#/components/schemas/TaskState'}, nodeId: {type: string, format: uuid}, reason: {type: string}}}}}}
            TaskList: {type: object, required: [tasks], properties: {tasks: {type: array, items: {$ref: '#/components/schemas/Task'}}}}
            TaskAssignment: {type: object, required: [taskId, attempt, kind, parameters, requirement, leaseSeconds], properties: {taskId: {type: string, format: uuid}, attempt: {type: integer}, kind: {type: string}, parameters: {type: object}, requirement: {$ref: '#/components/schemas/Requirement'}, leaseSeconds: {type: integer}}}
            TaskStatusReport: {type: object, required: [attempt, sequence, outcome], properties: {attempt: {type: integer, minimum: 1}, sequence: {type: integer, minimum: 1}, outcome: {type: string, enum: [running, succeeded, failed, rejected]}, progress: {type: number, minimum: 0, maximum: 1}, result: {type: object}, message: {type: string, maxLength: 2000}}}
            TaskStatusAck: {type: object, required: [applied, state, stop], properties: {applied: {type: boolean}, state: {$ref: '#/components/schemas/TaskState'}, reason: {type: string}, stop: {type: boolean}}}
        """
}
