import AsyncHTTPClient
import CloudClients
import CumulusAPI
import CumulusKit
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// The governance service: identity, RBAC, tenancy, approvals, the audit log and cloud
/// credentials. Other services ask it who may do what.
public enum GovernanceService {
    public static func definition(settings: GovernanceSettings) -> ServiceDefinition {
        let runtime = Runtime(settings: settings)
        return ServiceDefinition(
            service: .governance,
            openAPI: OpenAPIDocument(
                service: .governance,
                summary: "Cumulus governance: identity, RBAC, tenancy, approvals, audit and cloud credentials.",
                paths: GovernanceOpenAPI.paths,
                schemas: GovernanceOpenAPI.schemas
            ),
            migrations: GovernanceMigrations.all,
            addRoutes: { router, dependencies in
                let governance = runtime.context(dependencies)
                let approvals = ApprovalController(governance: governance)
                AuthController(governance: governance).addRoutes(to: router)
                OrganisationController(governance: governance).addRoutes(to: router)
                FederationController(governance: governance, approvals: approvals).addRoutes(to: router)
                RoleController(governance: governance, approvals: approvals).addRoutes(to: router)
                approvals.addRoutes(to: router)
                AuditController(governance: governance).addRoutes(to: router)
                MachineIdentityController(governance: governance).addRoutes(to: router)
                CredentialController(governance: governance, approvals: approvals, validators: runtime.validators).addRoutes(to: router)
            },
            backgroundServices: { dependencies in
                let governance = runtime.context(dependencies)
                let ledger = dependencies.processedMessages
                return [
                    StreamConsumer(
                        stream: AuditPublisher.stream, group: "governance", consumer: "governance-\(ProcessInfo.processInfo.processIdentifier)",
                        connection: dependencies.redis.dedicatedConnection(label: "audit"), logger: dependencies.logger
                    ) { message in
                        try await ledger.once(stream: AuditPublisher.stream, group: "governance", message: message, logger: dependencies.logger) { connection in
                            try await governance.audit.append(AuditLog.Event(streamMessage: message), on: connection)
                        }
                    }
                ]
            },
            onStart: { dependencies in
                try await GovernanceBootstrap.run(runtime.context(dependencies))
            },
            tokenVerifier: { dependencies in
                runtime.context(dependencies).keys
            }
        )
    }

    /// Builds governance's shared context once, from the dependencies the shell hands every hook.
    final class Runtime: Sendable {
        let settings: GovernanceSettings
        let validators: CredentialController.CloudValidators
        private let built = BuiltOnce<GovernanceContext>()

        init(settings: GovernanceSettings) {
            self.settings = settings
            validators = .init(endpoints: settings.cloudEndpoints, http: CredentialController.providerHTTPClient)
        }

        func context(_ dependencies: ServiceDependencies) -> GovernanceContext {
            built.get {
                let logger = dependencies.logger
                let context = GovernanceContext(
                    postgres: dependencies.postgres,
                    redis: dependencies.redis,
                    settings: settings,
                    keys: SigningKeyStore(postgres: dependencies.postgres, secretBox: settings.secretBox, issuer: dependencies.configuration.tokenIssuer,
                                          tokenLifetime: settings.accessTokenLifetime, logger: logger),
                    access: AccessStore(postgres: dependencies.postgres, logger: logger),
                    audit: AuditLog(postgres: dependencies.postgres, logger: logger),
                    issuer: dependencies.configuration.tokenIssuer,
                    logger: logger,
                    timingHash: Bcrypt.hash(UUID().uuidString, cost: settings.bcryptCost)
                )
                return context
            }
        }
    }
}

extension AuditLog.Event {
    /// An event another service published on the audit stream; the publishing service is kept.
    init(streamMessage message: StreamMessage) {
        let fields = message.fields
        let details = (fields["details"].flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:])
            .merging(["service": fields["service"] ?? "unknown"]) { _, service in service }
        self.init(
            actor: fields["actor"] ?? "unknown", action: fields["action"] ?? "unknown", target: fields["target"] ?? "",
            outcome: fields["outcome"] ?? "success", organisationID: fields["organisationId"].flatMap(UUID.init(uuidString:)),
            federationID: fields["federationId"].flatMap(UUID.init(uuidString:)), details: details)
    }
}

import HummingbirdBcrypt
