import Foundation

/// A strategy named the way jobs and the CLI name it, with its hyperparameters, so a job spec
/// (JSON or YAML) can say `{"name": "fedadam", "hyperparameters": {"eta": 0.01}}`. Unknown names
/// and hyperparameters are refused, never ignored.
public struct StrategyChoice: Sendable, Codable, Equatable {
    public var name: String
    public var hyperparameters: [String: Double]

    public init(name: String, hyperparameters: [String: Double] = [:]) {
        self.name = name
        self.hyperparameters = hyperparameters
    }

    /// The names and the hyperparameters each accepts (Flower's names, camel-cased).
    public static let accepted: [String: Set<String>] = [
        "fedavg": [],
        "fedprox": ["proximalMu"],
        "fedavgm": ["serverLearningRate", "serverMomentum"],
        "fedadam": ["eta", "etaL", "beta1", "beta2", "tau"],
        "fedyogi": ["eta", "etaL", "beta1", "beta2", "tau"],
        "fedadagrad": ["eta", "etaL", "tau"],
    ]

    /// Why this choice cannot be used, or nil.
    public var problem: String? {
        if let problem = NamedChoice.problem(kind: "strategy", name: name, hyperparameters: hyperparameters, accepted: Self.accepted) { return problem }
        if name == "fedprox", hyperparameters["proximalMu"] == nil { return "fedprox needs proximalMu (≥ 0)" }
        return nil
    }
}

/// One of the linear strategies behind one type, so a job can be driven, checkpointed after
/// every round and resumed without knowing which strategy it runs.
public enum AnyStrategy: Sendable {
    case fedAvg(FedAvg)
    case fedProx(FedProx)
    case fedAvgM(FedAvgM)
    case fedOpt(FedOpt)

    public init(_ choice: StrategyChoice, initialModel: TensorCollection) throws(StrategyError) {
        if let problem = choice.problem { throw .invalidConfiguration(problem) }
        let h = choice.hyperparameters
        switch choice.name {
        case "fedprox": self = .fedProx(try FedProx(configuration: .init(proximalMu: h["proximalMu"] ?? 0), initialModel: initialModel))
        case "fedavgm":
            self = .fedAvgM(try FedAvgM(configuration: .init(serverLearningRate: h["serverLearningRate"] ?? 1, serverMomentum: h["serverMomentum"] ?? 0),
                                        initialModel: initialModel))
        case "fedadam":
            let d = FedOpt.Configuration.adam()
            self = .fedOpt(try FedOpt(configuration: .adam(eta: h["eta"] ?? d.eta, etaL: h["etaL"] ?? d.etaL, beta1: h["beta1"] ?? d.beta1,
                                                           beta2: h["beta2"] ?? d.beta2, tau: h["tau"] ?? d.tau), initialModel: initialModel))
        case "fedyogi":
            let d = FedOpt.Configuration.yogi()
            self = .fedOpt(try FedOpt(configuration: .yogi(eta: h["eta"] ?? d.eta, etaL: h["etaL"] ?? d.etaL, beta1: h["beta1"] ?? d.beta1,
                                                           beta2: h["beta2"] ?? d.beta2, tau: h["tau"] ?? d.tau), initialModel: initialModel))
        case "fedadagrad":
            let d = FedOpt.Configuration.adagrad()
            self = .fedOpt(try FedOpt(configuration: .adagrad(eta: h["eta"] ?? d.eta, etaL: h["etaL"] ?? d.etaL, tau: h["tau"] ?? d.tau),
                                      initialModel: initialModel))
        default: self = .fedAvg(try FedAvg(initialModel: initialModel))
        }
    }

    public var globalModel: TensorCollection {
        switch self {
        case .fedAvg(let s): s.globalModel
        case .fedProx(let s): s.globalModel
        case .fedAvgM(let s): s.globalModel
        case .fedOpt(let s): s.globalModel
        }
    }

    public var nextRound: Int {
        switch self {
        case .fedAvg(let s): s.nextRound
        case .fedProx(let s): s.nextRound
        case .fedAvgM(let s): s.nextRound
        case .fedOpt(let s): s.nextRound
        }
    }

    /// What clients are sent with round `round`'s instructions (FedProx's `proximalMu`).
    public func clientConfiguration(round: Int) -> [String: Double] {
        switch self {
        case .fedAvg(let s): s.clientConfiguration(round: round)
        case .fedProx(let s): s.clientConfiguration(round: round)
        case .fedAvgM(let s): s.clientConfiguration(round: round)
        case .fedOpt(let s): s.clientConfiguration(round: round)
        }
    }

    public func makeAccumulator(options: WeightedMeanAccumulator.Options = .init()) -> WeightedMeanAccumulator {
        WeightedMeanAccumulator(template: globalModel, options: options)
    }

    /// Applies the round's server step from a streamed accumulator; returns the new global model.
    public mutating func finishRound(_ round: Int, accumulator: WeightedMeanAccumulator) throws(StrategyError) -> TensorCollection {
        switch self {
        case .fedAvg(var s): let m = try s.finishRound(round, accumulator: accumulator); self = .fedAvg(s); return m
        case .fedProx(var s): let m = try s.finishRound(round, accumulator: accumulator); self = .fedProx(s); return m
        case .fedAvgM(var s): let m = try s.finishRound(round, accumulator: accumulator); self = .fedAvgM(s); return m
        case .fedOpt(var s): let m = try s.finishRound(round, accumulator: accumulator); self = .fedOpt(s); return m
        }
    }

    // MARK: checkpoints

    struct Checkpoint: Codable {
        var kind: String
        var fedAvg: FedAvg.State?
        var fedProx: (FedProx.Configuration, FedProx.State)?
        var fedAvgM: (FedAvgM.Configuration, FedAvgM.State)?
        var fedOpt: (FedOpt.Configuration, FedOpt.State)?

        enum CodingKeys: String, CodingKey { case kind, configuration, state }

        init(kind: String) { self.kind = kind }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            kind = try c.decode(String.self, forKey: .kind)
            switch kind {
            case "fedavg": fedAvg = try c.decode(FedAvg.State.self, forKey: .state)
            case "fedprox": fedProx = (try c.decode(FedProx.Configuration.self, forKey: .configuration), try c.decode(FedProx.State.self, forKey: .state))
            case "fedavgm": fedAvgM = (try c.decode(FedAvgM.Configuration.self, forKey: .configuration), try c.decode(FedAvgM.State.self, forKey: .state))
            case "fedopt": fedOpt = (try c.decode(FedOpt.Configuration.self, forKey: .configuration), try c.decode(FedOpt.State.self, forKey: .state))
            default: throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "unknown strategy checkpoint '\(kind)'")
            }
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(kind, forKey: .kind)
            if let fedAvg { try c.encode(fedAvg, forKey: .state) }
            if let fedProx { try c.encode(fedProx.0, forKey: .configuration); try c.encode(fedProx.1, forKey: .state) }
            if let fedAvgM { try c.encode(fedAvgM.0, forKey: .configuration); try c.encode(fedAvgM.1, forKey: .state) }
            if let fedOpt { try c.encode(fedOpt.0, forKey: .configuration); try c.encode(fedOpt.1, forKey: .state) }
        }
    }

    /// Everything needed to resume: configuration and state (global model, round, moments).
    public func checkpoint() throws -> Data {
        var checkpoint: Checkpoint
        switch self {
        case .fedAvg(let s): checkpoint = Checkpoint(kind: "fedavg"); checkpoint.fedAvg = s.state
        case .fedProx(let s): checkpoint = Checkpoint(kind: "fedprox"); checkpoint.fedProx = (s.configuration, s.state)
        case .fedAvgM(let s): checkpoint = Checkpoint(kind: "fedavgm"); checkpoint.fedAvgM = (s.configuration, s.state)
        case .fedOpt(let s): checkpoint = Checkpoint(kind: "fedopt"); checkpoint.fedOpt = (s.configuration, s.state)
        }
        return try JSONEncoder().encode(checkpoint)
    }

    public init(checkpoint data: Data) throws {
        let checkpoint = try JSONDecoder().decode(Checkpoint.self, from: data)
        if let state = checkpoint.fedAvg { self = .fedAvg(try FedAvg(configuration: .init(), state: state)) }
        else if let (configuration, state) = checkpoint.fedProx { self = .fedProx(try FedProx(configuration: configuration, state: state)) }
        else if let (configuration, state) = checkpoint.fedAvgM { self = .fedAvgM(try FedAvgM(configuration: configuration, state: state)) }
        else if let (configuration, state) = checkpoint.fedOpt { self = .fedOpt(try FedOpt(configuration: configuration, state: state)) }
        else { throw StrategyError.invalidConfiguration("empty strategy checkpoint") }
    }
}
