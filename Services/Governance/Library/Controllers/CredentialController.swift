import AsyncHTTPClient
import CloudClients
import CumulusAPI
import CumulusKit
import Foundation
import Hummingbird
import PostgresNIO

/// Cloud credentials: checked with the provider before they are stored, sealed at rest
/// (AES-GCM, the key id kept beside them), never returned. Replacing or deleting one is a
/// critical action that needs a second person.
struct CredentialController: Sendable {
    let governance: GovernanceContext
    let approvals: ApprovalController
    let validators: CloudValidators

    /// The client for calls to the providers: redirects off and no connection retries (a provider
    /// answers at the address we chose, or not at all). Like `HTTPClient.shared` it lives as long
    /// as the process, so it is never shut down.
    static let providerHTTPClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: CloudClients.recommendedHTTPConfiguration())

    /// One validator per provider, pointed at the configured endpoints.
    struct CloudValidators: Sendable {
        let aws: AWSSTSCredentialValidator
        let gcp: GCPServiceAccountValidator
        let azure: AzureClientCredentialValidator
        let openstack: KeystoneCredentialValidator

        init(endpoints: GovernanceSettings.CloudEndpoints, http: HTTPClient) {
            aws = AWSSTSCredentialValidator(http: http, endpoint: endpoints.awsSTSEndpoint, region: endpoints.awsSTSRegion)
            gcp = GCPServiceAccountValidator(http: http, allowedTokenURIs: endpoints.gcpTokenURIs)
            azure = AzureClientCredentialValidator(http: http, authority: endpoints.azureAuthority)
            openstack = KeystoneCredentialValidator(http: http, allowPlainHTTP: endpoints.openStackAllowPlainHTTP, allowedHosts: endpoints.openStackAllowedHosts)
        }

        func validate(_ provider: CloudProvider, _ json: Data) async throws(CredentialValidationError) -> ValidatedCredential {
            switch provider {
            case .aws: try await aws.validate(try CredentialInputDecoding.decode(AWSCredentialInput.self, from: json))
            case .gcp: try await gcp.validate(try CredentialInputDecoding.decode(GCPServiceAccountKey.self, from: json))
            case .azure: try await azure.validate(try CredentialInputDecoding.decode(AzureCredentialInput.self, from: json))
            case .openstack: try await openstack.validate(try CredentialInputDecoding.decode(OpenStackCredentialInput.self, from: json))
            }
        }
    }

    enum Action {
        static let update = "credentials.update"
        static let delete = "credentials.delete"
    }

    func addRoutes(to router: Router<CumulusRequestContext>) {
        let credentials = router.group("/api/v1/credentials")
        credentials.post { request, context in try await create(request, context) }
        credentials.get { request, context in try await list(request, context) }
        credentials.get("/{id}") { _, context in try await show(context) }
        credentials.put("/{id}") { request, context in try await replace(request, context) }
        credentials.delete("/{id}") { _, context in try await delete(context) }
        // Not under /api: the gateway routes no /internal path, so only the services reach it.
        router.post("/internal/v1/credentials/{id}/secret") { request, context in try await unseal(request, context) }
    }

    /// What validation yields: the provider's confirmation, the sealed secret and the public fields.
    struct Checked: Sendable {
        var validated: ValidatedCredential
        var publicFields: [String: String]
        var sealed: String
        var keyID: String
    }

    func check(_ provider: CloudProvider, _ credential: [String: String], sealingFor id: UUID) async throws -> Checked {
        guard credential.count <= 30, credential.allSatisfy({ $0.key.count <= 100 && $0.value.count <= 16_384 }) else {
            throw Problem.invalidField("credential", "at most 30 fields of up to 16 KiB each", limit: "30 fields")
        }
        let json = try JSONSerialization.data(withJSONObject: credential, options: [.sortedKeys])
        let validated: ValidatedCredential
        do {
            validated = try await validators.validate(provider, json)
        } catch {
            switch error {
            case .invalidInput(let field, let reason):
                throw Problem.invalidField("credential.\(field)", reason)
            case .rejected:
                throw Problem(.unprocessableContent, detail: error.description, type: "urn:cumulus:problem:credential-rejected")
            case .providerUnavailable:
                throw Problem(.badGateway, detail: error.description, type: "urn:cumulus:problem:provider-unavailable")
            }
        }
        let secretFields = Set(CredentialSecretFields.fields(for: provider))
        let sealed = try governance.settings.secretBox.seal(json, context: "credential:\(id.uuidString.lowercased())")
        return Checked(validated: validated, publicFields: credential.filter { !secretFields.contains($0.key) }, sealed: sealed,
                       keyID: SecretBox.keyID(of: sealed) ?? governance.settings.secretBox.activeKeyID)
    }

    func create(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let body = try await request.decode(as: NewCloudCredential.self, context: context)
        let actor = try await governance.authorise(context, "credentials:create", in: .organisation(body.organisationId),
                                                   resource: "organisation \(body.organisationId.uuidString.lowercased())")
        guard let provider = CloudProvider(rawValue: body.provider) else {
            throw Problem.invalidField("provider", "must be one of aws, gcp, azure, openstack")
        }
        let label = try Validation.text(body.label, field: "label", length: 1...80)
        let id = UUID()
        let checked = try await check(provider, body.credential, sealingFor: id)
        let logger = governance.logger
        do {
            try await governance.postgres.withTransaction(logger: logger) { connection in
                try await connection.query(
                    """
                    INSERT INTO cloud_credentials (id, organisation_id, provider, label, account, principal, public_fields, sealed_secret, key_id, status, validated_at, created_by)
                    VALUES (\(id), \(body.organisationId), \(provider.rawValue), \(label), \(checked.validated.account), \(checked.validated.principal),
                            \(AuditLog.canonicalJSON(checked.publicFields))::jsonb, \(checked.sealed), \(checked.keyID), 'valid', \(checked.validated.validatedAt), \(actor))
                    """, logger: logger)
                try await governance.audit.append(.init(actor: actor.uuidString.lowercased(), action: "credentials:create", target: "credential:\(id.uuidString.lowercased())",
                                                        organisationID: body.organisationId, details: ["provider": provider.rawValue, "account": checked.validated.account]), on: connection)
            }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw Problem.conflict("the organisation already has a credential labelled '\(label)'")
        }
        return try Response.json(try await load(id)!, status: .created)
    }

    func list(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        guard let text = request.uri.queryParameters["organisationId"], let organisation = UUID(uuidString: String(text)) else {
            throw Problem.invalidField("organisationId", "is required (a UUID)")
        }
        try await governance.authorise(context, "credentials:read", in: .organisation(organisation), resource: "organisation \(organisation.uuidString.lowercased())")
        var ids: [UUID] = []
        for try await id in try await governance.postgres.query(
            "SELECT id FROM cloud_credentials WHERE organisation_id = \(organisation) AND status = 'valid' ORDER BY created_at", logger: governance.logger
        ).decode(UUID.self) { ids.append(id) }
        var result: [CloudCredential] = []
        for id in ids { if let credential = try await load(id) { result.append(credential) } }
        return try Response.json(result)
    }

    func show(_ context: CumulusRequestContext) async throws -> Response {
        let credential = try await visible(context, permission: "credentials:read")
        return try Response.json(credential)
    }

    /// Validates the replacement now, then waits for a second person before it takes effect.
    func replace(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let current = try await visible(context, permission: "credentials:update")
        let actor = try await governance.caller(context)
        let body = try await request.decode(as: ReplacementCloudCredential.self, context: context)
        let checked = try await check(CloudProvider(rawValue: current.provider)!, body.credential, sealingFor: current.id)
        let change = UUID()
        try await governance.postgres.query(
            """
            INSERT INTO credential_changes (id, credential_id, account, principal, public_fields, sealed_secret, key_id, validated_at)
            VALUES (\(change), \(current.id), \(checked.validated.account), \(checked.validated.principal), \(AuditLog.canonicalJSON(checked.publicFields))::jsonb,
                    \(checked.sealed), \(checked.keyID), \(checked.validated.validatedAt))
            """, logger: governance.logger)
        let approval = try await approvals.open(
            NewApproval(action: Action.update, permission: "credentials:update", scope: .organisation(current.organisationId),
                        summary: "replace \(current.provider) credential '\(current.label)' (account \(checked.validated.account))",
                        payload: ["credentialId": current.id.uuidString.lowercased(), "changeId": change.uuidString.lowercased()]),
            requestedBy: actor)
        return try Response.json(ApprovalPending(approval: approval), status: .accepted)
    }

    func delete(_ context: CumulusRequestContext) async throws -> Response {
        let current = try await visible(context, permission: "credentials:delete")
        let actor = try await governance.caller(context)
        let approval = try await approvals.open(
            NewApproval(action: Action.delete, permission: "credentials:delete", scope: .organisation(current.organisationId),
                        summary: "delete \(current.provider) credential '\(current.label)'", payload: ["credentialId": current.id.uuidString.lowercased()]),
            requestedBy: actor)
        return try Response.json(ApprovalPending(approval: approval), status: .accepted)
    }

    /// Hands a credential's secret to one of the suite's own services for one call to its
    /// provider (the costs service reading an AWS bill). Only a service account holding
    /// `credentials:use` may ask, people and nodes never, whatever their roles; each use is
    /// audited with the service, the purpose and the person it acts for. The service checks that
    /// person's right to the credential first, with their own token (`GET /api/v1/credentials/{id}`).
    func unseal(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        guard identity.kind == .service else {
            throw Problem(.forbidden, detail: "only the suite's service accounts may unseal a credential; the token names a \(identity.kind.rawValue)")
        }
        guard try await governance.grants(for: identity).keys.contains(Grant(permission: "credentials:use", scope: .platform)) else {
            throw Problem.forbidden(permission: "credentials:use", scope: ScopeRef.platform.description)
        }
        let id = try context.parameters.require("id", as: UUID.self)
        let use = try await request.decode(as: CredentialUse.self, context: context)
        let purpose = try Validation.text(use.purpose, field: "purpose", length: 1...200)
        let onBehalfOf = try Validation.text(use.onBehalfOf, field: "onBehalfOf", length: 1...200)
        let logger = governance.logger
        var found: (organisation: UUID, provider: String, account: String, sealed: String)?
        for try await row in try await governance.postgres.query(
            "SELECT organisation_id, provider, account, sealed_secret FROM cloud_credentials WHERE id = \(id) AND status = 'valid'", logger: logger
        ).decode((UUID, String, String, String).self) { found = (row.0, row.1, row.2, row.3) }
        guard let found else { throw Problem.notFound("credential \(id.uuidString.lowercased())") }
        let fields: [String: String]
        do {
            let json = try governance.settings.secretBox.open(found.sealed, context: "credential:\(id.uuidString.lowercased())")
            fields = try JSONDecoder().decode([String: String].self, from: json)
        } catch {
            // The sealing key is gone or the row was tampered with: nothing a caller can mend.
            logger.error("a stored credential does not open", metadata: ["credential": "\(id)", "error": "\(error)"])
            throw Problem(.internalServerError, detail: "credential \(id.uuidString.lowercased()) cannot be unsealed with this installation's keys")
        }
        try await governance.audit.append(.init(actor: identity.subject, action: "credentials:use", target: "credential:\(id.uuidString.lowercased())",
                                                organisationID: found.organisation, details: ["purpose": purpose, "onBehalfOf": onBehalfOf]))
        logger.notice("credential unsealed for a service", metadata: ["credential": "\(id)", "service": .string(identity.subject), "purpose": .string(purpose)])
        return try Response.json(UnsealedCloudCredential(id: id, organisationId: found.organisation, provider: found.provider, account: found.account,
                                                         credential: fields))
    }

    /// Runs an approved change inside the approving transaction.
    static func execute(_ approval: Approval, on connection: PostgresConnection, governance: GovernanceContext) async throws {
        let logger = governance.logger
        guard let credential = approval.payload["credentialId"].flatMap({ UUID(uuidString: $0) }) else { return }
        switch approval.action {
        case Action.update:
            guard let change = approval.payload["changeId"].flatMap({ UUID(uuidString: $0) }) else { return }
            try await connection.query(
                """
                UPDATE cloud_credentials c SET account = ch.account, principal = ch.principal, public_fields = ch.public_fields,
                       sealed_secret = ch.sealed_secret, key_id = ch.key_id, validated_at = ch.validated_at, updated_at = now()
                FROM credential_changes ch WHERE ch.id = \(change) AND ch.credential_id = c.id AND c.id = \(credential) AND c.status = 'valid'
                """, logger: logger)
            try await connection.query("DELETE FROM credential_changes WHERE id = \(change)", logger: logger)
        case Action.delete:
            // The secret goes with the credential; only the public description stays for the record.
            try await connection.query(
                "UPDATE cloud_credentials SET status = 'deleted', sealed_secret = '', updated_at = now() WHERE id = \(credential)", logger: logger)
            try await connection.query("DELETE FROM credential_changes WHERE credential_id = \(credential)", logger: logger)
        default:
            return
        }
        try await connection.query("UPDATE approvals SET status = 'consumed' WHERE id = \(approval.id)", logger: logger)
    }

    private func visible(_ context: CumulusRequestContext, permission: String) async throws -> CloudCredential {
        let id = try context.parameters.require("id", as: UUID.self)
        guard let credential = try await load(id), credential.status == "valid" else { throw Problem.notFound("credential \(id.uuidString.lowercased())") }
        try await governance.authorise(context, permission, in: .organisation(credential.organisationId), resource: "credential \(id.uuidString.lowercased())")
        return credential
    }

    func load(_ id: UUID) async throws -> CloudCredential? {
        for try await row in try await governance.postgres.query(
            """
            SELECT organisation_id, provider, label, account, principal, public_fields::text, status, validated_at, created_at
            FROM cloud_credentials WHERE id = \(id)
            """, logger: governance.logger
        ).decode((UUID, String, String, String, String, String, String, Date, Date).self) {
            let fields = (try? JSONDecoder().decode([String: String].self, from: Data(row.5.utf8))) ?? [:]
            return CloudCredential(id: id, organisationId: row.0, provider: row.1, label: row.2, account: row.3, principal: row.4,
                                   publicFields: fields, status: row.6, validatedAt: row.7, createdAt: row.8)
        }
        return nil
    }
}
