import CumulusAPI
import CumulusKit
import Foundation
import Hummingbird
import HTTPTypes
import Logging
import NIOFoundationCompat
import SecureAggregation

/// The agents' side of a securely aggregated round (routes: see SecAggWire.swift). Any replica
/// answers: a message is checked as far as it can be on its own (the round is at that stage,
/// the node is in the roster, the message is its own, for this session, and signed by it) and
/// stored; the leader's ``SecureRounds`` feeds it to the round's server. Answers to the agents
/// are read from what the leader stored when it closed a stage.
struct SecureController: Sendable {
    let store: JobStore
    let metrics: TrainingMetrics
    let logger: Logger

    static let base = "/api/v1/jobs/{id}/rounds/{round}/secure"

    func addRoutes(to router: Router<CumulusRequestContext>) {
        router.post("\(Self.base)/join") { request, context in try await join(request, context) }
        router.get("\(Self.base)/{attempt}/{stage}") { _, context in try await answer(context) }
        router.post("\(Self.base)/{attempt}/{stage}") { request, context in try await receive(request, context) }
    }

    /// The calling node, for a job that uses secure aggregation.
    private func caller(_ context: CumulusRequestContext) async throws -> RoundSubmission {
        let caller = try await RoundSubmission(context, store: store, purpose: "secure aggregation")
        guard caller.job.spec.secureAggregation != nil else {
            throw Problem.conflict("job \(caller.job.id.uuidString.lowercased()) does not use secure aggregation; upload updates with PUT …/update")
        }
        return caller
    }

    /// `POST …/secure/join`: the node takes its organisation's place in the round.
    func join(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let caller = try await caller(context)
        let body = try await Self.decode(SecureJoin.self, request, limit: 4096)
        guard caller.job.state == .running else { throw Problem.conflict("job \(caller.job.id.uuidString.lowercased()) is \(caller.job.state.rawValue)") }
        // The task may reach its node a moment before the round is recorded as open.
        guard let round = try await store.round(caller.job.id, caller.round) else {
            throw Problem(.serviceUnavailable, detail: "round \(caller.round) is being opened; join again in a second", headers: [.retryAfter: "1"])
        }
        guard round.state == "open" else { throw Problem.conflict("round \(caller.round) of job \(caller.job.id.uuidString.lowercased()) is \(round.state)") }
        let organisation = caller.organisation.uuidString.lowercased()
        guard round.tasks[organisation] == body.taskId else {
            throw Problem(.forbidden, detail: "task \(body.taskId.uuidString.lowercased()) is not your organisation's task in round \(caller.round)")
        }
        if try await store.secureRound(caller.job.id, caller.round) == nil {
            try await store.beginSecureRound(caller.job.id, caller.round, joinDeadline: Date(timeIntervalSince1970: round.deadlineAt))
        }
        guard let state = try await store.secureRound(caller.job.id, caller.round), state.stage == "join" else {
            throw Problem.conflict("joining round \(caller.round) has closed")
        }
        // One node per organisation: another node of it joining is refused (and, should two
        // join at once, only the first counts when joining closes).
        let members = try await store.secureMembers(caller.job.id, caller.round, attempt: state.attempt)
        if let other = members.first(where: { $0.value == caller.organisation && $0.key != caller.agent.rawValue }) {
            throw Problem.conflict("node \(other.key) already joined round \(caller.round) for your organisation")
        }
        _ = try await store.recordSecureMessage(caller.job.id, caller.round, attempt: state.attempt, stage: "join", sender: caller.agent.rawValue,
                                                body: Data(organisation.utf8))
        return try Response.json(SecAggJoined(attempt: state.attempt), status: .accepted)
    }

    /// `GET …/secure/{attempt}/{stage}`: what the node needs to act at `stage`; 204 until the
    /// previous stage has closed, 410 when the node can no longer take part.
    func answer(_ context: CumulusRequestContext) async throws -> Response {
        let caller = try await caller(context)
        let (state, attempt, stage) = try await current(caller, context)
        let order = Self.order(state.stage)
        guard order >= Self.order(stage.rawValue) else {
            return Response(status: .noContent, headers: [.retryAfter: "1"])
        }
        if stage == .advertiseKeys {
            guard state.members[caller.agent.rawValue] != nil, let configuration = state.configuration else { throw notInRoster(caller, state) }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(data: configuration)))
        }
        guard let body = try await store.secureAnswer(caller.job.id, caller.round, attempt: attempt, stage: stage.rawValue, recipient: caller.agent.rawValue) else {
            if state.stage == "finished" { throw Problem(.gone, detail: "round \(caller.round)'s secure aggregation has finished") }
            throw notInRoster(caller, state)
        }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(data: body)))
    }

    /// `POST …/secure/{attempt}/{stage}`: the node's message for the stage the round is at.
    func receive(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let caller = try await caller(context)
        let (state, attempt, stage) = try await current(caller, context)
        guard state.stage == stage.rawValue else {
            throw Problem.conflict("round \(caller.round) is at \(state.stage), not \(stage.rawValue): this message comes too early or too late")
        }
        guard state.members[caller.agent.rawValue] != nil, let configurationBytes = state.configuration else { throw notInRoster(caller, state) }
        let configuration = try JSONDecoder().decode(SecAggConfiguration.self, from: configurationBytes)
        // A masked input is the model's size in base64; everything else is small.
        let limit = stage == .maskedInput ? configuration.vectorLength * 6 + (64 << 10) : 4 << 20
        let agent = caller.agent
        // Decoded, checked on its own, and stored re-encoded (never the client's raw bytes).
        func checked<Message: Codable>(_ type: Message.Type, _ check: (Message) throws -> Void) async throws -> Data {
            let message = try await Self.decode(Message.self, request, limit: limit)
            try check(message)
            return try JSONEncoder().encode(message)
        }
        let bytes: Data
        do {
            switch stage {
            case .advertiseKeys: bytes = try await checked(KeyAdvertisement.self) { try configuration.authenticate($0, from: agent) }
            case .shareKeys: bytes = try await checked(ShareBundle.self) { try configuration.authenticate($0, from: agent) }
            case .consistencyCheck: bytes = try await checked(ConsistencySignature.self) { try configuration.authenticate($0, from: agent) }
            case .unmasking: bytes = try await checked(UnmaskingResponse.self) { try configuration.authenticate($0, from: agent) }
            case .maskedInput:
                bytes = try await checked(SecAggContribution.self) { contribution in
                    guard (1...1_000_000_000).contains(contribution.examples) else {
                        throw Problem.invalidField("examples", "must be the number of training examples, 1 to 1000000000", limit: "1000000000")
                    }
                    try configuration.authenticate(contribution.input, from: agent)
                }
            default:
                throw Problem.notFound("stage \(stage.rawValue)")
            }
        } catch let error as SecAggError {
            await store.recordRejection(job: caller.job.id, round: caller.round, node: caller.node, reason: "secure aggregation, \(stage.rawValue): \(error)")
            metrics.updateReceived(outcome: "rejected", reason: "secure-\(stage.rawValue)")
            throw Problem.invalidField("body", "\(error)")
        }
        guard try await store.recordSecureMessage(caller.job.id, caller.round, attempt: attempt, stage: stage.rawValue, sender: caller.agent.rawValue,
                                                  body: bytes) else {
            throw Problem.conflict("you already sent your \(stage.rawValue) message for round \(caller.round)")
        }
        if stage == .maskedInput { metrics.updateReceived(outcome: "accepted", reason: "") }
        return try Response.json(SecAggReceipt(stage: stage, attempt: attempt), status: .accepted)
    }

    /// The round's secure state for the attempt and stage named in the path; 410 for an
    /// attempt that was aborted.
    private func current(_ caller: RoundSubmission, _ context: CumulusRequestContext) async throws -> (JobStore.SecureRoundRow, Int, SecAggStage) {
        let attempt = try context.parameters.require("attempt", as: Int.self)
        let stageName = try context.parameters.require("stage")
        guard let stage = SecAggStage(rawValue: stageName), SecAggStage.agentStages.contains(stage) else {
            throw Problem.notFound("secure aggregation stage '\(stageName)' (\(SecAggStage.agentStages.map(\.rawValue).joined(separator: ", ")))")
        }
        if let reason = try await store.secureAbortReason(caller.job.id, caller.round, attempt: attempt) {
            throw Problem(.gone, detail: "attempt \(attempt) of round \(caller.round) was aborted \(reason)")
        }
        guard let state = try await store.secureRound(caller.job.id, caller.round), state.attempt == attempt else {
            throw Problem.notFound("attempt \(attempt) of round \(caller.round)'s secure aggregation")
        }
        return (state, attempt, stage)
    }

    private func notInRoster(_ caller: RoundSubmission, _ state: JobStore.SecureRoundRow) -> Problem {
        if let missed = state.dropped[caller.agent.rawValue] {
            return Problem(.gone, detail: "node \(caller.agent) dropped out of round \(caller.round) at \(missed): the round goes on without it")
        }
        return Problem(.gone, detail: "node \(caller.agent) is not in round \(caller.round)'s secure aggregation (it did not join before joining closed)")
    }

    /// Stages in protocol order; "join" first, "finished" last.
    static func order(_ stage: String) -> Int {
        ["join", "advertiseKeys", "shareKeys", "maskedInput", "consistencyCheck", "unmasking", "finished"].firstIndex(of: stage) ?? -1
    }

    static func decode<T: Decodable>(_ type: T.Type, _ request: Request, limit: Int) async throws -> T {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw Problem.payloadTooLarge("body", limit: limit) }
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: limit) } catch { throw Problem.payloadTooLarge("body", limit: limit) }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw Problem.invalidField("body", "is not a valid \(T.self): \(Self.describe(error))")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): "missing field '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            (context.codingPath.map(\.stringValue).joined(separator: ".").isEmpty ? "" : context.codingPath.map(\.stringValue).joined(separator: ".") + ": ")
                + context.debugDescription
        @unknown default: "\(error)"
        }
    }
}

extension RoundSubmission {
    /// The node as secure aggregation names it.
    var agent: AgentID { AgentID(node.uuidString.lowercased()) }
}
