import Foundation
import Crypto
import SeededRandom
@testable import SecureAggregation

/// A round's fixed inputs: roster keys, configuration, and one seeded update per agent.
struct RoundFixture {
    let configuration: SecAggConfiguration
    let signingKeys: [AgentID: Curve25519.Signing.PrivateKey]
    let updates: [AgentID: [Float]]

    var ids: [AgentID] { configuration.participants.map(\.id) }

    init(agents: Int, threshold: Int, graph: NeighbourGraphKind = .complete, length: Int = 64, clip: Float = 1,
         rounding: RoundingMode = .stochastic, seed: UInt64 = 1, roundID: String = "job-1/round-1",
         signingKeys: [AgentID: Curve25519.Signing.PrivateKey]? = nil) throws {
        let keys = signingKeys ?? SecAggSimulation.makeSigningKeys(count: agents)
        self.signingKeys = keys
        configuration = try SecAggConfiguration(roundID: roundID, participants: SecAggSimulation.participants(keys),
                                                threshold: threshold, graph: graph, vectorLength: length,
                                                clippingBound: clip, rounding: rounding)
        var generator = Xoshiro256StarStar(seed: seed)
        // Gaussian with σ = 0.6·clip: most values inside the clipping range, some outside.
        updates = Dictionary(uniqueKeysWithValues: keys.keys.sorted().map { id in
            (id, (0..<length).map { _ in Float(0.6 * Double(clip) * generator.nextGaussian()) })
        })
    }

    func clipped(_ id: AgentID) -> [Double] {
        let bound = Double(configuration.clippingBound)
        return updates[id]!.map { min(max(Double($0), -bound), bound) }
    }

    /// Checks `result` against the plain sum of the contributors' clipped updates: each
    /// contributor's quantisation is off by at most one step, and the Float result by its
    /// rounding.
    func sumError(_ result: SecAggResult) -> (worst: Double, bound: Double) {
        var worst = 0.0
        var bound = 0.0
        for index in 0..<configuration.vectorLength {
            let exact = result.contributors.reduce(0.0) { $0 + clipped($1)[index] }
            let allowed = Double(result.contributors.count) * configuration.quantiser.step + abs(exact) * 0x1p-23 + 1e-12
            let error = abs(Double(result.sum[index]) - exact)
            if error - allowed > worst - bound { (worst, bound) = (error, allowed) }
        }
        return (worst, bound)
    }

    func simulation() -> SecAggSimulation { SecAggSimulation(configuration: configuration, signingKeys: signingKeys) }

    func run(dropouts: [SecAggStage: Set<AgentID>] = [:], observe: (RelayedMessage) -> Void = { _ in }) throws(SecAggError) -> SecAggResult {
        try simulation().run(dropouts: dropouts, update: { updates[$0]! }, observe: observe).result
    }
}

/// A round stepped by hand, so a test can look at or tamper with any message.
struct ManualRound {
    let fixture: RoundFixture
    var server: SecAggServer
    var clients: [AgentID: SecAggClient]

    init(_ fixture: RoundFixture) throws {
        self.fixture = fixture
        server = SecAggServer(configuration: fixture.configuration)
        clients = try Dictionary(uniqueKeysWithValues: fixture.ids.map { id in
            (id, try SecAggClient(configuration: fixture.configuration, id: id, signingKey: fixture.signingKeys[id]!))
        })
    }

    mutating func advertise() throws -> [AgentID: KeyRoster] {
        for id in fixture.ids { try server.receive(clients[id]!.advertiseKeys()) }
        return try server.closeAdvertisement()
    }

    mutating func share(_ rosters: [AgentID: KeyRoster]) throws -> [AgentID: ShareDelivery] {
        for id in rosters.keys.sorted() { try server.receive(clients[id]!.shareKeys(rosters[id]!)) }
        return try server.closeSharing()
    }

    mutating func maskedInputs(_ deliveries: [AgentID: ShareDelivery]) throws -> [AgentID: MaskedInput] {
        var inputs: [AgentID: MaskedInput] = [:]
        for id in deliveries.keys.sorted() {
            var generator = Xoshiro256StarStar(seed: 7)
            inputs[id] = try clients[id]!.maskInput(deliveries[id]!, update: fixture.updates[id]!, using: &generator)
        }
        return inputs
    }

    mutating func consistency(_ request: ConsistencyRequest) throws -> UnmaskingRequest {
        for id in request.survivors { try server.receive(clients[id]!.signConsistency(request)) }
        return try server.closeConsistency()
    }

    mutating func unmask(_ request: UnmaskingRequest) throws -> SecAggResult {
        for signature in request.signatures { try server.receive(clients[signature.sender]!.unmask(request)) }
        return try server.finish()
    }
}

extension Data {
    /// A copy with one bit flipped.
    func flippingBit(at index: Int) -> Data {
        var copy = self
        copy[copy.startIndex + index] ^= 1
        return copy
    }
}
