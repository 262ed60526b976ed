import CumulusKit
import Foundation

/// An enrolled node sending something for a round of a job (`/api/v1/jobs/{id}/rounds/{round}/…`):
/// an update, or a secure aggregation message. The job must exist and the node's organisation
/// must hold `updates:submit` in its federation; otherwise the job is not found, as for anyone
/// who may not see it.
struct RoundSubmission {
    let node: UUID
    let organisation: UUID
    let job: JobStore.JobRow
    let round: Int

    init(_ context: CumulusRequestContext, store: JobStore, purpose: String) async throws {
        let caller = try context.requireNode(for: purpose)
        let jobID = try context.parameters.require("id", as: UUID.self)
        round = try context.parameters.require("round", as: Int.self)
        guard let job = try await store.job(jobID), try await context.policy.allows(caller.identity, "updates:submit", in: .federation(job.federationId)) else {
            throw Problem.notFound("job \(jobID.uuidString.lowercased())")
        }
        self.job = job
        node = caller.node
        organisation = caller.organisation
    }
}
