import Crypto
import SeededRandom

/// Every message the coordinator sees or sends in a round, for observers of a simulation.
public enum RelayedMessage: Sendable {
    case advertisement(KeyAdvertisement)
    case roster(KeyRoster)
    case bundle(ShareBundle)
    case delivery(ShareDelivery)
    case maskedInput(MaskedInput)
    case consistencyRequest(ConsistencyRequest)
    case consistencySignature(ConsistencySignature)
    case unmaskingRequest(UnmaskingRequest)
    case unmaskingResponse(UnmaskingResponse)
}

/// One whole round with every agent and the coordinator in memory: the reference driver of the
/// state machines, for tests, benchmarks and as an example of how a coordinator sequences them.
///
/// `dropouts[stage]` lists agents that go silent just before sending their message of that stage
/// and never come back: `.shareKeys` = dropped after key advertisement, `.maskedInput` = after
/// share distribution, `.consistencyCheck` = after uploading the masked input,
/// `.unmasking` = during unmasking. An agent that aborts itself for lack of neighbours counts
/// as dropped too. Agents are driven one at a time, in roster order.
public struct SecAggSimulation: Sendable {
    /// The round's outcome and where the time went (wall clock, for benchmarks; nothing asserts
    /// on it).
    public struct Report: Sendable {
        public let result: SecAggResult
        /// Each contributor's quantise-and-mask time (stage 3, share decryption included).
        public let clientMasking: [AgentID: Duration]
        /// The coordinator's total time checking and folding masked inputs.
        public let serverFolding: Duration
        /// The coordinator's unmasking: checking responses, reconstruction, mask removal.
        public let serverUnmasking: Duration
    }

    public let configuration: SecAggConfiguration
    public let signingKeys: [AgentID: Curve25519.Signing.PrivateKey]

    public init(configuration: SecAggConfiguration, signingKeys: [AgentID: Curve25519.Signing.PrivateKey]) {
        self.configuration = configuration
        self.signingKeys = signingKeys
    }

    /// Fresh signing keys for `count` agents named `prefix0`, `prefix1`, ...
    public static func makeSigningKeys(count: Int, prefix: String = "agent-") -> [AgentID: Curve25519.Signing.PrivateKey] {
        Dictionary(uniqueKeysWithValues: (0..<count).map { (AgentID("\(prefix)\($0)"), Curve25519.Signing.PrivateKey()) })
    }

    /// The roster entries of `signingKeys`.
    public static func participants(_ signingKeys: [AgentID: Curve25519.Signing.PrivateKey]) -> [SecAggParticipant] {
        signingKeys.map { SecAggParticipant(id: $0.key, signingKey: $0.value.publicKey) }
    }

    /// Runs the round. `update(id)` is asked for each agent's update only when that agent masks
    /// (so a benchmark holds one update at a time); stochastic rounding of agent i is seeded
    /// from `roundingSeed` and i's position.
    public func run(dropouts: [SecAggStage: Set<AgentID>] = [:], roundingSeed: UInt64 = 0,
                    update: (AgentID) -> [Float],
                    observe: (RelayedMessage) -> Void = { _ in }) throws(SecAggError) -> Report {
        let clock = ContinuousClock()
        var server = SecAggServer(configuration: configuration)
        var clients: [AgentID: SecAggClient] = [:]
        for participant in configuration.participants {
            guard let key = signingKeys[participant.id] else {
                throw .invalidConfiguration("no signing key for \(participant.id)")
            }
            clients[participant.id] = try SecAggClient(configuration: configuration, id: participant.id, signingKey: key)
        }
        var alive = Set(clients.keys)
        func active(_ stage: SecAggStage, among eligible: some Sequence<AgentID>) -> [AgentID] {
            alive.subtract(dropouts[stage] ?? [])
            return eligible.filter(alive.contains).sorted()
        }

        for id in active(.advertiseKeys, among: clients.keys) {
            let advertisement = try clients[id]!.advertiseKeys()
            observe(.advertisement(advertisement))
            try server.receive(advertisement)
        }
        let rosters = try server.closeAdvertisement()
        for id in active(.shareKeys, among: rosters.keys) {
            observe(.roster(rosters[id]!))
            do {
                let bundle = try clients[id]!.shareKeys(rosters[id]!)
                observe(.bundle(bundle))
                try server.receive(bundle)
            } catch .belowThreshold {
                alive.remove(id)
            }
        }
        let deliveries = try server.closeSharing()
        var masking: [AgentID: Duration] = [:]
        var folding = Duration.zero
        for id in active(.maskedInput, among: deliveries.keys) {
            observe(.delivery(deliveries[id]!))
            var generator = Xoshiro256StarStar(seed: roundingSeed ^ UInt64(try configuration.position(of: id)))
            let values = update(id)
            do {
                let maskingStart = clock.now
                let input = try clients[id]!.maskInput(deliveries[id]!, update: values, using: &generator)
                masking[id] = clock.now - maskingStart
                observe(.maskedInput(input))
                let foldingStart = clock.now
                try server.receive(input)
                folding += clock.now - foldingStart
            } catch .belowThreshold {
                alive.remove(id)
            }
        }
        let consistency = try server.closeMaskedInput()
        observe(.consistencyRequest(consistency))
        for id in active(.consistencyCheck, among: consistency.survivors) {
            let signature = try clients[id]!.signConsistency(consistency)
            observe(.consistencySignature(signature))
            try server.receive(signature)
        }
        let unmasking = try server.closeConsistency()
        observe(.unmaskingRequest(unmasking))
        var unmaskingTime = Duration.zero
        for id in active(.unmasking, among: unmasking.signatures.map(\.sender)) {
            let response = try clients[id]!.unmask(unmasking)
            observe(.unmaskingResponse(response))
            let start = clock.now
            try server.receive(response)
            unmaskingTime += clock.now - start
        }
        let start = clock.now
        let result = try server.finish()
        unmaskingTime += clock.now - start
        return Report(result: result, clientMasking: masking, serverFolding: folding, serverUnmasking: unmaskingTime)
    }
}
