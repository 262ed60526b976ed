import CumulusAPI
import FederatedCore
import Foundation
import Testing

/// A job with differential privacy through the gateway: agents are told to clip (client-side
/// clipping), the coordinator clips again and adds the noise, every round reports the ε spent,
/// and the job stops, successfully and saying why, before a round would pass its target ε.
// Inside TrainingTests: serialized with the suite that restarts the coordinator.
extension TrainingTests { @Suite(.serialized) struct PrivateJobTests {
    @Test func aPrivateJobReportsEpsilonAndStopsAtItsTarget() async throws {
        let fixture = try await FederationFixture.make("private", participants: 2)
        let gateway = fixture.gateway
        let nodes = try await DefendedJobTests.enrolNodes(fixture, count: 2, label: "private")
        let owner = fixture.participants[0].adminToken
        // Every participant is asked each round (q = 1): the target lies between round 2's ε and round 3's.
        var accountant = try RenyiAccountant()
        var epsilons: [Double] = []
        for _ in 1...3 {
            try accountant.compose(samplingRate: 1, noiseMultiplier: 1.5)
            epsilons.append(try accountant.epsilon(delta: 1e-5).epsilon)
        }
        let target = (epsilons[1] + epsilons[2]) / 2
        var spec = DefendedJobTests.job(fixture, defence: nil, minFitClients: 2, rounds: 5)
        spec.privacy = PrivacySpec(clipping: "client-fixed", noiseMultiplier: 1.5, clippingNorm: 0.5, targetEpsilon: target)

        var refused = spec
        refused.privacy?.noiseMultiplier = -1
        #expect(try gateway.problem(try await gateway.send(.POST, "/api/v1/jobs", token: owner, json: refused), status: 400).errors?.first?.field
                == "privacy.noiseMultiplier")
        refused = spec
        refused.defence = DefenceSpec(name: "fedmedian")
        #expect(try gateway.problem(try await gateway.send(.POST, "/api/v1/jobs", token: owner, json: refused), status: 400).errors?.first?.field == "privacy")

        let job = try gateway.decode(JobView.self, try await gateway.send(.POST, "/api/v1/jobs", token: owner, json: spec), expect: 201)
        for number in 1...2 {
            for node in nodes { _ = try await node.heartbeat(datasets: [DefendedJobTests.digits]) }
            // Each "agent" sends the global model moved by 1 per weight: far beyond the norm.
            let global = try await DefendedJobTests.playRound(number, of: job, nodes: nodes, gateway: gateway) { _, value in value + 1 } checkTask: { task in
                #expect(task.parameters["clippingNorm"]?.number == 0.5, "the agents are told to clip")
            }
            _ = global
            _ = try await DefendedJobTests.waitUntil(job.id, gateway: gateway, token: owner) { $0.completedRounds >= number || $0.state.isTerminal }
        }
        let view = try await DefendedJobTests.waitUntil(job.id, gateway: gateway, token: owner) { $0.state.isTerminal }
        #expect(view.state == .succeeded && view.completedRounds == 2, "\(view.state) after \(view.completedRounds) rounds: \(view.error ?? "")")
        #expect(view.stopReason?.contains("privacy budget") == true && view.stopReason?.contains("round 3") == true, "\(view.stopReason ?? "no reason")")
        #expect(view.rounds.count == 2)
        for (index, round) in view.rounds.enumerated() {
            let epsilon = try #require(round.epsilon)
            #expect(abs(epsilon - epsilons[index]) < 1e-9, "round \(round.round): ε \(epsilon), the accountant says \(epsilons[index])")
            #expect(round.clippedUpdates == 2, "the coordinator clips what the agents did not")
        }
    }
}}
