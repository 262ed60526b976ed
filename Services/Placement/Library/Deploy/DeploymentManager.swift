import CumulusAPI
import CumulusKit
import Foundation
import Logging

/// Starts and stops deployments through their provisioner, keeping the record, the usage events
/// and the audit log in step. Each start or stop first claims the deployment with a conditional
/// status change, so two callers (or replicas) never start or stop the same one twice.
struct DeploymentManager: Sendable {
    let store: DeploymentStore
    let provisioners: [ProvisionerKind: any Provisioner]
    let usage: UsagePublisher
    let audit: AuditPublisher
    let logger: Logger

    func provisioner(_ kind: ProvisionerKind) throws -> any Provisioner {
        guard let provisioner = provisioners[kind] else {
            throw Problem(.serviceUnavailable, detail: "the \(kind.rawValue) provisioner is not configured on this placement service")
        }
        return provisioner
    }

    /// Records the deployment, prepares it, and starts it when the provisioner starts on creation
    /// (embedded). Terraform deployments stay `rendered` until `start`.
    func create(_ plan: DeploymentPlan, kind: ProvisionerKind, monthlyCostUSD: Double, roundSeconds: Double, by actor: String) async throws -> DeploymentRow {
        let provisioner = try provisioner(kind)
        try await store.create(plan, provisioner: kind, status: kind == .embedded ? .stopped : .rendered, monthlyCostUSD: monthlyCostUSD,
                               roundSeconds: roundSeconds, createdBy: actor)
        do {
            if let directory = try await provisioner.prepare(plan) { try await store.setTerraformDirectory(plan.id, directory) }
        } catch {
            try await store.fail(plan.id, status: .failed, error: "\(error)")
            throw Self.problem(error)
        }
        try? await audit.publish(actor: actor, action: "deployments.create", target: "deployment:\(plan.id.uuidString.lowercased())",
                                 federationID: plan.federationId, details: ["provisioner": kind.rawValue, "placement": plan.placementId.uuidString.lowercased(),
                                                                            "frontIndex": String(plan.frontIndex)])
        logger.info("deployment created", metadata: ["deployment": "\(plan.id)", "provisioner": "\(kind.rawValue)", "aggregators": "\(plan.aggregators.count)"])
        if kind == .embedded { try await start(try await required(plan.id), by: actor) }
        return try await required(plan.id)
    }

    func start(_ row: DeploymentRow, by actor: String) async throws {
        let provisioner = try provisioner(row.provisioner)
        guard try await store.transition(row.id, from: [.rendered, .stopped, .failed], to: .starting) else {
            throw Problem.conflict("deployment \(row.id.uuidString.lowercased()) is \(try await required(row.id).status.rawValue); only a rendered, stopped or failed one can start")
        }
        let endpoints: [UUID: String]
        do {
            endpoints = try await provisioner.start(row.plan)
            let missing = row.aggregators.filter { endpoints[$0.id] == nil }
            guard missing.isEmpty else {
                throw ProvisionerError.commandFailed(command: "start", status: 0, output: "no endpoint reported for aggregator(s) \(missing.map(\.id))")
            }
        } catch {
            // Nothing was started when a tool or setting is missing: the deployment is as it was.
            let unchanged: Bool
            if case .missingBinary? = error as? ProvisionerError { unchanged = true }
            else if case .notConfigured? = error as? ProvisionerError { unchanged = true }
            else { unchanged = false }
            try await store.fail(row.id, status: unchanged ? row.status : .failed, error: "\(error)")
            logger.warning("deployment did not start", metadata: ["deployment": "\(row.id)", "error": "\(error)"])
            throw Self.problem(error)
        }
        try await store.markRunning(row.id, endpoints: endpoints)
        try? await usage.flush()
        try? await audit.publish(actor: actor, action: "deployments.start", target: "deployment:\(row.id.uuidString.lowercased())", federationID: row.federationId)
        logger.info("deployment running", metadata: ["deployment": "\(row.id)", "endpoints": "\(endpoints.values.sorted())"])
    }

    func stop(_ row: DeploymentRow, by actor: String) async throws {
        let provisioner = try provisioner(row.provisioner)
        guard try await store.transition(row.id, from: [.running], to: .stopping) else {
            throw Problem.conflict("deployment \(row.id.uuidString.lowercased()) is \(try await required(row.id).status.rawValue); only a running one can stop")
        }
        do {
            try await provisioner.stop(row.plan)
        } catch {
            try await store.fail(row.id, status: .running, error: "stop failed: \(error)")
            logger.warning("deployment did not stop", metadata: ["deployment": "\(row.id)", "error": "\(error)"])
            throw Self.problem(error)
        }
        try await store.markStopped(row.id)
        try? await usage.flush()
        try? await audit.publish(actor: actor, action: "deployments.stop", target: "deployment:\(row.id.uuidString.lowercased())", federationID: row.federationId)
        logger.info("deployment stopped", metadata: ["deployment": "\(row.id)"])
    }

    /// After a restart: embedded endpoints died with the old process. Running ones listen again
    /// (their records get the new URLs; metering continues, so the gap is billed as running);
    /// ones caught mid-start fail, ones caught mid-stop finish stopping.
    func resumeEmbedded() async throws {
        guard let embedded = provisioners[.embedded] else { return }
        for row in try await store.all(provisioner: .embedded, status: .running) {
            do {
                let endpoints = try await embedded.start(row.plan)
                try await store.updateEndpoints(row.id, endpoints: endpoints)
                logger.info("embedded deployment resumed", metadata: ["deployment": "\(row.id)"])
            } catch {
                logger.error("embedded deployment could not resume", metadata: ["deployment": "\(row.id)", "error": "\(error)"])
            }
        }
        for row in try await store.all(provisioner: .embedded, status: .starting) {
            try await store.fail(row.id, status: .failed, error: "interrupted by a restart of the placement service")
        }
        for row in try await store.all(provisioner: .embedded, status: .stopping) { try await store.markStopped(row.id) }
        try? await usage.flush()
    }

    func required(_ id: UUID) async throws -> DeploymentRow {
        guard let row = try await store.deployment(id) else { throw Problem.notFound("deployment \(id.uuidString.lowercased())") }
        return row
    }

    static func problem(_ error: any Error) -> any Error {
        if let error = error as? ProvisionerError { return error.problem }
        if let error = error as? TerraformRenderer.RenderError { return Problem(.unprocessableContent, detail: error.description) }
        return error
    }
}
