import AsyncHTTPClient
import Crypto
import CumulusAPI
import CumulusClient
import FederatedCore
import Foundation
import NIOCore
import NIOFoundationCompat
import SecureAggregation

/// What training and evaluation tasks share: the global model (downloaded by hash through the
/// gateway, checked, cached on disk), the local dataset (`<data>/<dataset>.csv`, split into a
/// training part and a held-out part that stays the same across rounds), the architecture.
struct TrainingContext: Sendable {
    let gateway: GatewayClient
    let dataFolder: String
    let cacheFolder: URL

    struct Inputs {
        var job: UUID
        var round: Int
        var modelHash: String
        var dataset: String
        var architecture: ModelArchitecture
        var global: TensorCollection
        var data: CSVDataset.Split
        var dataPath: String
        var modelPath: URL
    }

    func inputs(_ task: TaskAssignment) async throws -> Inputs {
        let p = task.parameters
        guard let job = p["job"]?.string.flatMap(UUID.init(uuidString:)), let round = p["round"]?.number, let hash = p["model"]?.string,
              let dataset = p["dataset"]?.string, let kind = p["architecture"]?.string, let inputs = p["inputs"]?.number, let classes = p["classes"]?.number
        else { throw AgentError("the task's parameters are incomplete (job, round, model, dataset, architecture, inputs, classes)") }
        let hidden: [Int] = { if case .array(let values)? = p["hiddenLayers"] { return values.compactMap(\.number).map(Int.init) } else { return [] } }()
        let architecture: ModelArchitecture = kind == "logistic"
            ? try .logisticRegression(inputCount: Int(inputs), classCount: Int(classes))
            : try .multilayerPerceptron(inputCount: Int(inputs), hiddenLayers: hidden, classCount: Int(classes))
        let modelPath = try await model(hash)
        let global = try SafetensorsReader(requireFinite: true).read([UInt8](Data(contentsOf: modelPath)))
        guard dataset.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }), !dataset.hasPrefix(".") else {
            throw AgentError("the dataset name '\(dataset)' is not a plain file name")
        }
        let path = dataFolder + "/" + dataset + ".csv"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw AgentError("this node has no readable dataset \(path)") }
        // A fixed split seed: the held-out rows never train, in any round.
        let data = try CSVDataset.load(text, heldOutFraction: 0.2, seed: 0)
        guard data.train.featureCount == architecture.inputCount else {
            throw AgentError("\(dataset).csv has \(data.train.featureCount) feature columns; the model takes \(architecture.inputCount)")
        }
        return Inputs(job: job, round: Int(round), modelHash: hash, dataset: dataset, architecture: architecture, global: global, data: data,
                      dataPath: path, modelPath: modelPath)
    }

    /// The model file for `hash`, from the cache or the registry; its hash is checked.
    func model(_ hash: String) async throws -> URL {
        guard hash.count == 64, hash.allSatisfy(\.isHexDigit) else { throw AgentError("'\(hash)' is not a model hash") }
        let file = cacheFolder.appending(path: hash + ".safetensors")
        if FileManager.default.fileExists(atPath: file.path) { return file }
        let bytes = try await withBackoff("model download") { try await gateway.download("/api/v1/models/blobs/\(hash)") }
        let actual = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        guard actual == hash else { throw AgentError("the downloaded model's SHA-256 is \(actual), not \(hash)") }
        try FileManager.default.createDirectory(at: cacheFolder, withIntermediateDirectories: true)
        try Data(bytes).write(to: file, options: .atomic)
        return file
    }
}

/// Trains on the local data from the global model — with the built-in trainer, or with the
/// job's external trainer command — then signs and uploads the update.
struct TrainRunner: TaskRunner {
    let context: TrainingContext
    let signingKey: Curve25519.Signing.PrivateKey
    var kind: String { "train" }

    func run(_ task: TaskAssignment, progress: @Sendable (Double) async -> Void) async throws -> [String: JSONValue] {
        let inputs = try await context.inputs(task)
        await progress(0.1)
        let p = task.parameters
        var updateBytes: [UInt8]
        let examples: Int
        let trainLoss: Double?
        if let command = p["externalTrainer"]?.string {
            (updateBytes, examples, trainLoss) = try await ExternalTrainer(command: command).train(inputs, parameters: p, work: context.cacheFolder)
        } else {
            let configuration = TrainingConfiguration(
                epochs: Int(p["epochs"]?.number ?? 1), batchSize: Int(p["batchSize"]?.number ?? 32), learningRate: p["learningRate"]?.number ?? 0.05,
                momentum: p["momentum"]?.number ?? 0, weightDecay: p["weightDecay"]?.number ?? 0, proximalMu: p["proximalMu"]?.number ?? 0,
                seed: UInt64(p["seed"]?.number ?? 1))
            let outcome = try LocalTrainer(architecture: inputs.architecture).train(
                model: inputs.global, data: inputs.data.train, configuration: configuration, globalModel: inputs.global)
            updateBytes = try SafetensorsWriter().write(outcome.model)
            examples = outcome.examples
            trainLoss = outcome.meanLoss
        }
        // Differential privacy with client-side clipping: the update never leaves this machine
        // farther than the clipping norm from the global model.
        if let norm = p["clippingNorm"]?.number {
            let clipped = try UpdateClipping.clip(try SafetensorsReader(requireFinite: true).read(updateBytes), reference: inputs.global, clippingNorm: norm)
            updateBytes = try SafetensorsWriter().write(clipped.model)
        }
        await progress(0.8)
        if case .object(let secure)? = p["secureAggregation"] {
            return try await aggregateSecurely(secure, task: task, inputs: inputs, updateBytes: updateBytes, examples: examples, trainLoss: trainLoss,
                                               progress: progress)
        }
        guard let upload = p["upload"]?.string, upload.hasPrefix("/api/v1/jobs/") else { throw AgentError("the task names no upload path") }
        let sha256 = SHA256.hash(data: updateBytes).map { String(format: "%02x", $0) }.joined()
        let signature = try signingKey.signature(for: UpdateHeaders.signedMessage(sha256: sha256, jobId: inputs.job, round: inputs.round, task: task.taskId))
        var headers = [UpdateHeaders.task: task.taskId.uuidString.lowercased(), UpdateHeaders.examples: String(examples),
                       UpdateHeaders.signature: signature.base64EncodedString()]
        if let trainLoss, trainLoss.isFinite { headers[UpdateHeaders.trainLoss] = String(trainLoss) }
        let client = context.gateway
        let body = updateBytes
        let uploadHeaders = headers
        let receipt = try await withBackoff("update upload") { try await client.upload(upload, body: body, headers: uploadHeaders) }
        var result: [String: JSONValue] = ["sha256": .string(receipt.sha256), "examples": .number(Double(examples))]
        if let trainLoss { result["trainLoss"] = .number(trainLoss) }
        return result
    }
}

extension TrainRunner {
    /// The update leaves only masked: the weighted delta goes through SecAgg+ (see SecureParticipation).
    func aggregateSecurely(_ secure: [String: JSONValue], task: TaskAssignment, inputs: TrainingContext.Inputs, updateBytes: [UInt8], examples: Int,
                           trainLoss: Double?, progress: @Sendable (Double) async -> Void) async throws -> [String: JSONValue] {
        guard let path = secure["path"]?.string, path.hasPrefix("/api/v1/jobs/") else { throw AgentError("the task names no secure aggregation path") }
        let cap = Int(secure["maxExamples"]?.number ?? Double(SecureAggregationSpec.defaultMaxExamples))
        let timeout = Int(secure["stageTimeoutSeconds"]?.number ?? Double(SecureAggregationSpec.defaultStageTimeoutSeconds))
        let update = try SafetensorsReader(requireFinite: true).read(updateBytes)
        let vector = try SecureUpdateEncoding.encode(update: update, global: inputs.global, weight: SecureUpdateEncoding.weight(examples: examples, cap: cap))
        let participation = SecureParticipation(gateway: context.gateway, signingKey: signingKey, path: path, stageTimeout: .seconds(timeout))
        let stage = try await participation.run(task: task.taskId, vector: vector, examples: examples, trainLoss: trainLoss, progress: progress)
        var result: [String: JSONValue] = ["examples": .number(Double(examples)), "secureAggregation": .string(stage.rawValue)]
        if let trainLoss { result["trainLoss"] = .number(trainLoss) }
        return result
    }
}

/// Evaluates the global model on the node's held-out rows.
struct EvaluateRunner: TaskRunner {
    let context: TrainingContext
    var kind: String { "evaluate" }

    func run(_ task: TaskAssignment, progress: @Sendable (Double) async -> Void) async throws -> [String: JSONValue] {
        let inputs = try await context.inputs(task)
        guard let heldOut = inputs.data.heldOut else { throw AgentError("\(inputs.dataset).csv has too few rows to hold any out for evaluation") }
        let outcome = try LocalTrainer(architecture: inputs.architecture).evaluate(model: inputs.global, data: heldOut)
        return ["examples": .number(Double(outcome.examples)), "loss": .number(outcome.loss), "accuracy": .number(outcome.accuracy)]
    }
}

/// The external-trainer contract (see README): the job names a command; the agent runs it with
/// `/bin/sh -c` and these environment variables, and reads back the update it wrote.
///   CUMULUS_MODEL            the global model (safetensors)
///   CUMULUS_DATA             the local CSV (header, feature columns, label last)
///   CUMULUS_OUTPUT           where to write the update (safetensors, same tensors as the model)
///   CUMULUS_METRICS          where to write {"examples": n, "trainLoss": x} (JSON)
///   CUMULUS_HYPERPARAMETERS  the round's hyperparameters (JSON: epochs, batchSize, learningRate, …)
struct ExternalTrainer {
    let command: String

    func train(_ inputs: TrainingContext.Inputs, parameters: [String: JSONValue], work: URL) async throws -> ([UInt8], Int, Double?) {
        let folder = work.appending(path: "external-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appending(path: "update.safetensors")
        let metrics = folder.appending(path: "metrics.json")
        var environment = ProcessInfo.processInfo.environment
        environment["CUMULUS_MODEL"] = inputs.modelPath.path
        environment["CUMULUS_DATA"] = inputs.dataPath
        environment["CUMULUS_OUTPUT"] = output.path
        environment["CUMULUS_METRICS"] = metrics.path
        environment["CUMULUS_HYPERPARAMETERS"] = String(decoding: try JSONEncoder().encode(parameters.filter { ["epochs", "batchSize", "learningRate", "momentum", "weightDecay", "proximalMu", "seed", "round"].contains($0.key) }), as: UTF8.self)
        let (status, errors) = try await Self.run(command, environment: environment)
        guard status == 0 else { throw AgentError("the external trainer exited with \(status): \(errors.suffix(1000))") }
        guard let bytes = try? [UInt8](Data(contentsOf: output)) else { throw AgentError("the external trainer wrote no update to CUMULUS_OUTPUT") }
        let update = try SafetensorsReader(requireFinite: true).read(bytes)
        try ModelLayout(inputs.global).validate(update)
        let reported = (try? JSONSerialization.jsonObject(with: Data(contentsOf: metrics))) as? [String: Any]
        let examples = (reported?["examples"] as? NSNumber)?.intValue ?? inputs.data.train.exampleCount
        return (bytes, examples, (reported?["trainLoss"] as? NSNumber)?.doubleValue)
    }

    /// Runs off the cooperative pool (waiting for a process blocks a thread).
    static func run(_ command: String, environment: [String: String]) async throws -> (Int32, String) {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: "/bin/sh")
                    process.arguments = ["-c", command]
                    process.environment = environment
                    let errors = Pipe()
                    process.standardError = errors
                    process.standardOutput = FileHandle.nullDevice
                    try process.run()
                    let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                    process.waitUntilExit()
                    continuation.resume(returning: (process.terminationStatus, text))
                } catch { continuation.resume(throwing: error) }
            }
        }
    }
}
