import Crypto
import CumulusAPI
import CumulusClient
import FederatedCore
import Foundation
import SecureAggregation

/// The agent's side of a securely aggregated round: after training, it joins the round, then
/// walks the SecAgg+ stages through the coordinator (routes: SecAggWire.swift). Its update leaves
/// the machine only masked; the coordinator learns the round's sum. (The runtime keeps the
/// task's lease alive while it waits.)
struct SecureParticipation {
    let gateway: GatewayClient
    let signingKey: Curve25519.Signing.PrivateKey
    /// `/api/v1/jobs/{job}/rounds/{round}/secure`.
    let path: String
    let stageTimeout: Duration

    func run(task: UUID, vector: [Float], examples: Int, trainLoss: Double?, progress: @Sendable (Double) async -> Void) async throws -> SecAggStage {
        guard let node = gateway.nodeId else { throw AgentError("secure aggregation needs the node's identity") }
        let agent = AgentID(node.uuidString.lowercased())
        let http = gateway
        let join = "\(path)/join"
        // 503 while the round is being opened: withBackoff tries again.
        guard let joined = try await withBackoff("secure aggregation join", { try await http.send(.POST, join, body: SecureJoin(taskId: task), as: SecAggJoined.self) }) else {
            throw AgentError("joining secure aggregation gave no attempt number")
        }
        let attempt = "\(path)/\(joined.attempt)"
        // Joining waits for the other participants' training: the round's deadline bounds it.
        let configuration = try await wait(SecAggConfiguration.self, "\(attempt)/\(SecAggStage.advertiseKeys.rawValue)", progress: progress, at: 0.82,
                                           limit: .seconds(86_400))
        var client = try SecAggClient(configuration: configuration, id: agent, signingKey: signingKey)
        try await post("\(attempt)/advertiseKeys", client.advertiseKeys())
        let roster = try await wait(KeyRoster.self, "\(attempt)/shareKeys", progress: progress, at: 0.85)
        try await post("\(attempt)/shareKeys", client.shareKeys(roster))
        let delivery = try await wait(ShareDelivery.self, "\(attempt)/maskedInput", progress: progress, at: 0.88)
        try await post("\(attempt)/maskedInput", SecAggContribution(input: client.maskInput(delivery, update: vector), examples: examples, trainLoss: trainLoss))
        let survivors = try await wait(ConsistencyRequest.self, "\(attempt)/consistencyCheck", progress: progress, at: 0.91)
        try await post("\(attempt)/consistencyCheck", client.signConsistency(survivors))
        let unmasking = try await wait(UnmaskingRequest.self, "\(attempt)/unmasking", progress: progress, at: 0.94)
        try await post("\(attempt)/unmasking", client.unmask(unmasking))
        return client.stage
    }

    private func post(_ path: String, _ body: some Encodable & Sendable) async throws {
        let client = gateway
        _ = try await withBackoff("secure aggregation") { try await client.send(.POST, path, body: body, as: SecAggReceipt.self) }
    }

    /// Polls until the coordinator has the stage's input for this agent (204 means not yet);
    /// 410 (dropped, or the attempt aborted) ends the task with the coordinator's reason.
    private func wait<T: Decodable & Sendable>(_ type: T.Type, _ path: String, progress: @Sendable (Double) async -> Void, at fraction: Double,
                                               limit: Duration? = nil) async throws -> T {
        let clock = ContinuousClock()
        // The coordinator closes a stage within its timeout; twice that and it is gone.
        let deadline = clock.now + (limit ?? stageTimeout * 2 + .seconds(10))
        let client = gateway
        await progress(fraction)
        while clock.now < deadline {
            if let answer = try await withBackoff("secure aggregation", { try await client.send(.GET, path, body: String?.none, as: T.self) }) {
                return answer
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw AgentError("the coordinator did not answer \(path) in time")
    }
}
