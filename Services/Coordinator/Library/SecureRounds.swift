import Crypto
import CumulusAPI
import CumulusKit
import FederatedCore
import Foundation
import Logging
import SecureAggregation

/// The leading replica's SecAgg+ servers, one per securely aggregated open round. The running
/// masked sum lives only here (the database keeps the relayed messages, never a sum or an
/// update in the clear), so a leader that stops takes the attempt with it: the next leader finds
/// no server for a round past joining and aborts that attempt, and the round runs again.
actor SecureRoundMemory {
    struct Entry: Sendable {
        var attempt: Int
        var server: SecAggServer
        /// Who the current stage waits for.
        var expected: Set<AgentID>
        /// Who answered the current stage, accepted by the server.
        var answered: Set<AgentID> = []
        /// Contributors' examples and training loss, reported with their masked inputs.
        var examples: [AgentID: Int] = [:]
        var losses: [AgentID: Double] = [:]
        /// The unmasked sum, once the last stage has closed.
        var result: SecAggResult?
    }

    private var entries: [String: Entry] = [:]

    static func key(_ job: UUID, _ round: Int) -> String { "\(job.uuidString.lowercased())/\(round)" }

    func entry(_ job: UUID, _ round: Int) -> Entry? { entries[Self.key(job, round)] }
    func set(_ entry: Entry?, _ job: UUID, _ round: Int) { entries[Self.key(job, round)] = entry }
}

extension Conductor {
    /// One step of a securely aggregated open round: close joining once every invited
    /// participant joined (or its task ended, or the round's deadline passed) and fix the roster;
    /// then at each protocol stage feed the agents' messages to the server and close the stage
    /// when everyone expected answered or the stage's deadline passed. Fewer than t agents left
    /// aborts the attempt; the round is then opened again.
    func stepSecureRound(_ job: JobStore.JobRow, _ round: JobStore.RoundRow, _ spec: SecureAggregationSpec) async throws {
        guard let state = try await store.secureRound(job.id, round.round) else {
            try await store.beginSecureRound(job.id, round.round, joinDeadline: Date(timeIntervalSince1970: round.deadlineAt))
            return
        }
        do {
            if state.stage == "join" {
                try await closeJoining(job, round, state, spec)
            } else if let stage = SecAggStage(rawValue: state.stage), SecAggStage.agentStages.contains(stage) {
                try await advance(job, round, state, stage, spec)
            }
        } catch let abort as SecureAbort {
            try await abortAttempt(job, round, state, reason: abort.reason)
        } catch let error as SecAggError {
            try await abortAttempt(job, round, state, reason: "\(error)")
        }
    }

    struct SecureAbort: Error { let reason: String }

    private func closeJoining(_ job: JobStore.JobRow, _ round: JobStore.RoundRow, _ state: JobStore.SecureRoundRow,
                              _ spec: SecureAggregationSpec) async throws {
        let members = try await store.secureMembers(job.id, round.round, attempt: state.attempt)
        let joinedOrganisations = Set(members.values.map { $0.uuidString.lowercased() })
        let tasks = Dictionary(uniqueKeysWithValues: try await peers.tasks(federation: job.federationId, reference: Self.reference(job.id, round.round)).map { ($0.id, $0) })
        let settled = round.tasks.allSatisfy { organisation, task in joinedOrganisations.contains(organisation) || tasks[task]?.state.isTerminal == true }
        guard settled || Date.now > state.stageDeadline else { return }
        let needed = max(2, job.spec.minFitClients)
        guard members.count >= needed else {
            throw SecureAbort(reason: "\(members.count) of \(round.tasks.count) participants joined by the deadline; \(needed) needed")
        }
        var participants: [SecAggParticipant] = []
        for node in members.keys.sorted() {
            guard let id = UUID(uuidString: node) else { continue }
            participants.append(SecAggParticipant(id: AgentID(node), signingKey: try await keys.signingKey(of: id)))
        }
        guard let globalHash = job.globalHash else { throw JobFailure(description: "the job has no global model") }
        let global = try await models.model(globalHash)
        let roundID = "\(job.id.uuidString.lowercased())/round-\(round.round)/attempt-\(state.attempt)"
        // SecAgg+'s ring is public: a seed every party can recompute from the round is enough.
        let graph: NeighbourGraphKind = spec.neighbours.map {
            .randomRing(degree: $0, seed: SHA256.hash(data: Data(roundID.utf8)).prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        } ?? .complete
        let neighbourhood = NeighbourGraph(kind: graph, count: participants.count).smallestNeighbourhood
        let configuration = try SecAggConfiguration(
            roundID: roundID, participants: participants,
            threshold: SecAggConfiguration.threshold(fraction: spec.effectiveThreshold, participants: neighbourhood), graph: graph,
            vectorLength: global.parameterCount, clippingBound: Float(spec.effectiveClippingRange))
        try await store.advanceSecureRound(job.id, round.round, attempt: state.attempt, from: "join", to: SecAggStage.advertiseKeys.rawValue,
                                           deadline: stageDeadline(spec), answers: [:], dropped: [:], configuration: try JSONEncoder().encode(configuration), members: members)
        await secureMemory.set(.init(attempt: state.attempt, server: SecAggServer(configuration: configuration), expected: Set(participants.map(\.id))),
                               job.id, round.round)
        logger.info("secure round roster fixed", metadata: ["job": "\(job.id)", "round": "\(round.round)", "attempt": "\(state.attempt)",
                                                            "agents": "\(participants.count)", "threshold": "\(configuration.threshold)"])
    }

    private func advance(_ job: JobStore.JobRow, _ round: JobStore.RoundRow, _ state: JobStore.SecureRoundRow, _ stage: SecAggStage,
                         _ spec: SecureAggregationSpec) async throws {
        guard var entry = await secureMemory.entry(job.id, round.round), entry.attempt == state.attempt else {
            throw SecureAbort(reason: "the coordinator leading this attempt stopped; the masked sum it held is gone")
        }
        // Feed what arrived since the last tick, in arrival order.
        for message in try await store.unfedSecureMessages(job.id, round.round, attempt: state.attempt, stage: stage.rawValue) {
            let sender = AgentID(message.party)
            do {
                try feed(&entry, stage, sender: sender, body: message.body ?? Data())
                entry.answered.insert(sender)
            } catch {
                await store.recordRejection(job: job.id, round: round.round, node: UUID(uuidString: message.party),
                                            reason: "secure aggregation, \(stage.rawValue): \(error)")
            }
            try await store.markSecureMessageFed(job.id, round.round, attempt: state.attempt, stage: stage.rawValue, sender: message.party,
                                                 dropBody: stage == .maskedInput)
        }
        await secureMemory.set(entry, job.id, round.round)
        guard entry.expected.isSubset(of: entry.answered) || Date.now > state.stageDeadline else { return }

        let dropped = Dictionary(uniqueKeysWithValues: entry.expected.subtracting(entry.answered).map { ($0.rawValue, stage.rawValue) })
        let encoder = JSONEncoder()
        var answers: [String: Data] = [:]
        let next: SecAggStage
        switch stage {
        case .advertiseKeys:
            for (agent, roster) in try entry.server.closeAdvertisement() { answers[agent.rawValue] = try encoder.encode(roster) }
            next = .shareKeys
        case .shareKeys:
            for (agent, delivery) in try entry.server.closeSharing() { answers[agent.rawValue] = try encoder.encode(delivery) }
            next = .maskedInput
        case .maskedInput:
            let request = try entry.server.closeMaskedInput()
            let body = try encoder.encode(request)
            for agent in request.survivors { answers[agent.rawValue] = body }
            next = .consistencyCheck
        case .consistencyCheck:
            let request = try entry.server.closeConsistency()
            let body = try encoder.encode(request)
            for signature in request.signatures { answers[signature.sender.rawValue] = body }
            next = .unmasking
        case .unmasking:
            // The sum is kept until the round is closed: a failed close (the registry briefly
            // away) is tried again at the next tick from the same sum.
            if entry.result == nil {
                entry.result = try entry.server.finish()
                await secureMemory.set(entry, job.id, round.round)
            }
            try await closeSecurely(job, round, state, entry, entry.result!, dropped: state.dropped.merging(dropped) { first, _ in first }, spec)
            await secureMemory.set(nil, job.id, round.round)
            return
        default:
            return
        }
        // The database first: if writing the answers fails, the server in memory is still at
        // this stage, and the next tick closes it again (closing is deterministic).
        try await store.advanceSecureRound(job.id, round.round, attempt: state.attempt, from: stage.rawValue, to: next.rawValue,
                                           deadline: stageDeadline(spec), answers: answers, dropped: dropped)
        entry.expected = Set(answers.keys.map(AgentID.init(rawValue:)))
        entry.answered = []
        await secureMemory.set(entry, job.id, round.round)
    }

    /// Decodes an agent's message for `stage` and gives it to the server (which checks it whole).
    private func feed(_ entry: inout SecureRoundMemory.Entry, _ stage: SecAggStage, sender: AgentID, body: Data) throws {
        let decoder = JSONDecoder()
        guard entry.expected.contains(sender) else { throw SecAggError.unexpectedSender(sender, stage: stage) }
        switch stage {
        case .advertiseKeys: try entry.server.receive(decoder.decode(KeyAdvertisement.self, from: body))
        case .shareKeys: try entry.server.receive(decoder.decode(ShareBundle.self, from: body))
        case .maskedInput:
            let contribution = try decoder.decode(SecAggContribution.self, from: body)
            try entry.server.receive(contribution.input)
            entry.examples[sender] = contribution.examples
            if let loss = contribution.trainLoss, loss.isFinite { entry.losses[sender] = loss }
        case .consistencyCheck: try entry.server.receive(decoder.decode(ConsistencySignature.self, from: body))
        case .unmasking: try entry.server.receive(decoder.decode(UnmaskingResponse.self, from: body))
        default: throw SecAggError.wrongStage(expected: stage, actual: entry.server.stage)
        }
    }

    /// The unmasked sum becomes the round's one aggregated update, and the round closes as any other.
    private func closeSecurely(_ job: JobStore.JobRow, _ round: JobStore.RoundRow, _ state: JobStore.SecureRoundRow, _ entry: SecureRoundMemory.Entry,
                               _ result: SecAggResult, dropped: [String: String], _ spec: SecureAggregationSpec) async throws {
        guard let globalHash = job.globalHash else { throw JobFailure(description: "the job has no global model") }
        let global = try await models.model(globalHash)
        let cap = spec.effectiveMaxExamples
        let totalWeight = result.contributors.reduce(0.0) { $0 + SecureUpdateEncoding.weight(examples: entry.examples[$1] ?? 1, cap: cap) }
        let mean = try SecureUpdateEncoding.decode(sum: result.sum, totalWeight: totalWeight, global: global)
        let contributions = result.contributors.compactMap { agent -> Contribution? in
            guard let organisation = state.members[agent.rawValue] else { return nil }
            return Contribution(organisation: organisation, examples: entry.examples[agent] ?? 0, trainLoss: entry.losses[agent])
        }
        let contributing = Set(contributions.map { $0.organisation.uuidString.lowercased() })
        var stragglers: [String: String] = [:]
        for organisation in round.tasks.keys where !contributing.contains(organisation) {
            let node = state.members.first { $0.value.uuidString.lowercased() == organisation }?.key
            let stage = node.flatMap { dropped[$0] }
            stragglers[organisation] = stage.map { "dropped out of secure aggregation at \($0)" } ?? "did not join secure aggregation in time"
        }
        let summary = SecureRoundSummary(
            session: entry.server.configuration.session.bytes.map { String(format: "%02x", $0) }.joined(), joined: state.members.count,
            threshold: entry.server.configuration.threshold, contributors: contributions.map(\.organisation).sorted { $0.uuidString < $1.uuidString },
            dropped: dropped, abortedAttempts: try await store.secureAborts(job.id, round.round))
        let examples = contributions.reduce(0) { $0 + $1.examples }
        let update = RoundClose.Update(client: "secure-sum", examples: max(examples, 1)) { mean }
        try await conclude(job, round, updates: [update], contributions: contributions, stragglers: stragglers, secure: summary)
        try await store.forgetSecureRound(job.id, round.round)
    }

    private func abortAttempt(_ job: JobStore.JobRow, _ round: JobStore.RoundRow, _ state: JobStore.SecureRoundRow, reason: String) async throws {
        await secureMemory.set(nil, job.id, round.round)
        try await store.abortSecureRound(job.id, round.round, attempt: state.attempt, stage: state.stage, reason: reason)
        for task in round.tasks.values { await peers.cancelTask(task) }
        metrics.roundClosed(job: job.id, outcome: "aborted", openedAt: round.openedAt, accepted: 0, stragglers: round.tasks.count)
        logger.warning("secure round attempt aborted", metadata: ["job": "\(job.id)", "round": "\(round.round)", "attempt": "\(state.attempt)",
                                                                 "stage": .string(state.stage), "reason": .string(reason)])
        // A round that keeps failing is not going to succeed: end the job rather than spin.
        if state.attempt >= Self.maximumSecureAttempts {
            throw JobFailure(description: "round \(round.round): \(state.attempt) secure aggregation attempts aborted; the last at \(state.stage): \(reason)")
        }
    }

    static let maximumSecureAttempts = 3

    private func stageDeadline(_ spec: SecureAggregationSpec) -> Date { .now.addingTimeInterval(Double(spec.effectiveStageTimeoutSeconds)) }
}
