import Foundation

/// Request and response bodies of the governance API, shared by the service, the CLI, the
/// dashboard's tests and the other services.

/// Where a role binding or permission applies.
public struct ScopeRef: Codable, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Codable, Sendable { case platform, organisation, federation }
    public var kind: Kind
    public var id: UUID?

    public init(kind: Kind, id: UUID?) {
        self.kind = kind
        self.id = kind == .platform ? nil : id
    }

    public static let platform = ScopeRef(kind: .platform, id: nil)
    public static func organisation(_ id: UUID) -> ScopeRef { ScopeRef(kind: .organisation, id: id) }
    public static func federation(_ id: UUID) -> ScopeRef { ScopeRef(kind: .federation, id: id) }

    public var description: String {
        kind == .platform ? "the platform" : "\(kind.rawValue) \(id?.uuidString.lowercased() ?? "?")"
    }
}

/// A permission held in a scope.
public struct Grant: Codable, Hashable, Sendable {
    public var permission: String
    public var scope: ScopeRef

    public init(permission: String, scope: ScopeRef) {
        self.permission = permission
        self.scope = scope
    }
}

/// What governance says a subject may do; services cache it (see CumulusKit's GovernancePolicy).
public struct EffectivePermissions: Codable, Sendable, Equatable {
    public var subject: String
    public var organisationId: UUID?
    /// Organisation grants are already expanded to the federations that organisation owns.
    public var grants: [Grant]

    public init(subject: String, organisationId: UUID?, grants: [Grant]) {
        self.subject = subject
        self.organisationId = organisationId
        self.grants = grants
    }

    public func allows(_ permission: String, in scope: ScopeRef) -> Bool {
        grants.contains(Grant(permission: permission, scope: scope)) || grants.contains(Grant(permission: permission, scope: .platform))
    }
}

public struct LoginRequest: Codable, Sendable {
    public var email: String
    public var password: String
    public init(email: String, password: String) { self.email = email; self.password = password }
}

public struct TokenPair: Codable, Sendable {
    public var accessToken: String
    public var refreshToken: String
    public var tokenType: String
    public var expiresIn: Int

    public init(accessToken: String, refreshToken: String, expiresIn: Int) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.tokenType = "Bearer"
        self.expiresIn = expiresIn
    }
}

public struct RefreshRequest: Codable, Sendable {
    public var refreshToken: String
    public init(refreshToken: String) { self.refreshToken = refreshToken }
}

public struct SetupRequest: Codable, Sendable {
    public var token: String
    public var email: String
    public var password: String
    public var displayName: String
    public init(token: String, email: String, password: String, displayName: String) {
        self.token = token; self.email = email; self.password = password; self.displayName = displayName
    }
}

public struct NewUser: Codable, Sendable {
    public var email: String
    public var password: String
    public var displayName: String
    public init(email: String, password: String, displayName: String) { self.email = email; self.password = password; self.displayName = displayName }
}

public struct User: Codable, Sendable, Equatable {
    public var id: UUID
    public var organisationId: UUID?
    public var email: String
    public var displayName: String
    public var disabled: Bool
    public init(id: UUID, organisationId: UUID?, email: String, displayName: String, disabled: Bool) {
        self.id = id; self.organisationId = organisationId; self.email = email; self.displayName = displayName; self.disabled = disabled
    }
}

public struct NewOrganisation: Codable, Sendable {
    public var name: String
    /// The organisation's first administrator.
    public var admin: NewUser
    public init(name: String, admin: NewUser) { self.name = name; self.admin = admin }
}

public struct Organisation: Codable, Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var createdAt: Date
    public init(id: UUID, name: String, createdAt: Date) { self.id = id; self.name = name; self.createdAt = createdAt }
}

public struct NewFederation: Codable, Sendable {
    public var name: String
    public var ownerOrganisationId: UUID
    public init(name: String, ownerOrganisationId: UUID) { self.name = name; self.ownerOrganisationId = ownerOrganisationId }
}

public struct Federation: Codable, Sendable, Equatable {
    public struct Member: Codable, Sendable, Equatable {
        public var organisationId: UUID
        public var status: String
        public init(organisationId: UUID, status: String) { self.organisationId = organisationId; self.status = status }
    }
    public var id: UUID
    public var name: String
    public var ownerOrganisationId: UUID
    public var members: [Member]
    public var createdAt: Date
    public init(id: UUID, name: String, ownerOrganisationId: UUID, members: [Member], createdAt: Date) {
        self.id = id; self.name = name; self.ownerOrganisationId = ownerOrganisationId; self.members = members; self.createdAt = createdAt
    }
}

public struct Invitation: Codable, Sendable {
    public var organisationId: UUID
    public init(organisationId: UUID) { self.organisationId = organisationId }
}

public struct NewRole: Codable, Sendable {
    public var organisationId: UUID
    public var name: String
    public var description: String?
    public var permissions: [String]
    public var inherits: [UUID]?
    public init(organisationId: UUID, name: String, description: String? = nil, permissions: [String], inherits: [UUID]? = nil) {
        self.organisationId = organisationId; self.name = name; self.description = description; self.permissions = permissions; self.inherits = inherits
    }
}

public struct Role: Codable, Sendable, Equatable {
    public var id: UUID
    public var organisationId: UUID?
    public var name: String
    public var description: String
    public var builtIn: Bool
    public var permissions: [String]
    public var inherits: [UUID]
    public init(id: UUID, organisationId: UUID?, name: String, description: String, builtIn: Bool, permissions: [String], inherits: [UUID]) {
        self.id = id; self.organisationId = organisationId; self.name = name; self.description = description
        self.builtIn = builtIn; self.permissions = permissions; self.inherits = inherits
    }
}

public struct InheritRequest: Codable, Sendable {
    public var parentRoleId: UUID
    public init(parentRoleId: UUID) { self.parentRoleId = parentRoleId }
}

public struct NewBinding: Codable, Sendable {
    public var userId: UUID
    public var scope: ScopeRef
    public init(userId: UUID, scope: ScopeRef) { self.userId = userId; self.scope = scope }
}

public struct Binding: Codable, Sendable, Equatable {
    public var id: UUID
    public var userId: UUID
    public var roleId: UUID
    public var scope: ScopeRef
    public init(id: UUID, userId: UUID, roleId: UUID, scope: ScopeRef) { self.id = id; self.userId = userId; self.roleId = roleId; self.scope = scope }
}

/// The answer to a request that needs a second person: 202 with the approval to wait for.
public struct ApprovalPending: Codable, Sendable {
    public var approval: Approval
    public init(approval: Approval) { self.approval = approval }
}

public struct NewApproval: Codable, Sendable {
    /// What will happen once approved, e.g. `models.promote`.
    public var action: String
    /// The critical permission the action exercises; the requester must hold it.
    public var permission: String
    public var scope: ScopeRef
    public var summary: String
    public var payload: [String: String]?
    /// Shorter than the default lifetime when the requester wants a quick answer or none.
    public var expiresInSeconds: Int?
    public init(action: String, permission: String, scope: ScopeRef, summary: String, payload: [String: String]? = nil, expiresInSeconds: Int? = nil) {
        self.action = action; self.permission = permission; self.scope = scope; self.summary = summary; self.payload = payload
        self.expiresInSeconds = expiresInSeconds
    }
}

public struct Approval: Codable, Sendable, Equatable {
    public var id: UUID
    public var action: String
    public var permission: String
    public var scope: ScopeRef
    public var summary: String
    public var payload: [String: String]
    public var requestedBy: UUID
    public var status: String
    public var decidedBy: UUID?
    public var reason: String?
    public var createdAt: Date
    public var expiresAt: Date
    public init(id: UUID, action: String, permission: String, scope: ScopeRef, summary: String, payload: [String: String],
                requestedBy: UUID, status: String, decidedBy: UUID?, reason: String?, createdAt: Date, expiresAt: Date) {
        self.id = id; self.action = action; self.permission = permission; self.scope = scope; self.summary = summary; self.payload = payload
        self.requestedBy = requestedBy; self.status = status; self.decidedBy = decidedBy; self.reason = reason
        self.createdAt = createdAt; self.expiresAt = expiresAt
    }
}

public struct Decision: Codable, Sendable {
    public var reason: String?
    public init(reason: String? = nil) { self.reason = reason }
}

public struct AuditEntry: Codable, Sendable, Equatable {
    public var sequence: Int64
    public var at: Date
    public var actor: String
    public var action: String
    public var target: String
    public var outcome: String
    public var organisationId: UUID?
    public var federationId: UUID?
    public var details: String
    public var hash: String
    public init(sequence: Int64, at: Date, actor: String, action: String, target: String, outcome: String,
                organisationId: UUID?, federationId: UUID?, details: String, hash: String) {
        self.sequence = sequence; self.at = at; self.actor = actor; self.action = action; self.target = target; self.outcome = outcome
        self.organisationId = organisationId; self.federationId = federationId; self.details = details; self.hash = hash
    }
}

public struct AuditVerification: Codable, Sendable, Equatable {
    public var intact: Bool
    public var entriesChecked: Int
    /// The first entry whose hash or link does not match, when the chain is broken.
    public var firstBrokenSequence: Int64?
    public var problem: String?
    public init(intact: Bool, entriesChecked: Int, firstBrokenSequence: Int64?, problem: String?) {
        self.intact = intact; self.entriesChecked = entriesChecked; self.firstBrokenSequence = firstBrokenSequence; self.problem = problem
    }
}

public struct PermissionReview: Codable, Sendable {
    public struct Item: Codable, Sendable, Equatable {
        public var permission: String
        public var scope: ScopeRef
        /// Role chains the permission comes through, e.g. ["org-admin", "viewer"].
        public var via: [[String]]
        public var usedInWindow: Bool
        public var lastUsedAt: Date?
        public init(permission: String, scope: ScopeRef, via: [[String]], usedInWindow: Bool, lastUsedAt: Date?) {
            self.permission = permission; self.scope = scope; self.via = via; self.usedInWindow = usedInWindow; self.lastUsedAt = lastUsedAt
        }
    }
    public var subject: String
    public var windowDays: Int
    public var items: [Item]
    public var unusedCount: Int
    public init(subject: String, windowDays: Int, items: [Item]) {
        self.subject = subject; self.windowDays = windowDays; self.items = items; self.unusedCount = items.filter { !$0.usedInWindow }.count
    }
}

// MARK: machine identities

public struct NewServiceAccount: Codable, Sendable {
    public var name: String
    /// Held at platform scope: service accounts are the suite's own services and integrations.
    public var permissions: [String]
    public init(name: String, permissions: [String]) { self.name = name; self.permissions = permissions }
}

/// Shown once: the secret is stored only as a hash.
public struct ServiceAccountCreated: Codable, Sendable {
    public var id: UUID
    public var name: String
    public var clientId: String
    public var clientSecret: String
    public var permissions: [String]
    public init(id: UUID, name: String, clientId: String, clientSecret: String, permissions: [String]) {
        self.id = id; self.name = name; self.clientId = clientId; self.clientSecret = clientSecret; self.permissions = permissions
    }
}

/// `POST /api/v1/auth/token`: `client_credentials` (clientId + clientSecret) or `api_key` (apiKey).
public struct TokenRequest: Codable, Sendable {
    public var grantType: String
    public var clientId: String?
    public var clientSecret: String?
    public var apiKey: String?
    public init(grantType: String, clientId: String? = nil, clientSecret: String? = nil, apiKey: String? = nil) {
        self.grantType = grantType; self.clientId = clientId; self.clientSecret = clientSecret; self.apiKey = apiKey
    }
}

public struct AccessToken: Codable, Sendable {
    public var accessToken: String
    public var tokenType: String
    public var expiresIn: Int
    public init(accessToken: String, expiresIn: Int) { self.accessToken = accessToken; self.tokenType = "Bearer"; self.expiresIn = expiresIn }
}

public struct NewAPIKey: Codable, Sendable {
    public var name: String
    /// A subset of what the creator holds in `scope`; the key never holds more than its owner.
    public var permissions: [String]
    public var scope: ScopeRef
    public var expiresInDays: Int?
    public init(name: String, permissions: [String], scope: ScopeRef, expiresInDays: Int? = nil) {
        self.name = name; self.permissions = permissions; self.scope = scope; self.expiresInDays = expiresInDays
    }
}

public struct APIKey: Codable, Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var permissions: [String]
    public var scope: ScopeRef
    public var createdAt: Date
    public var expiresAt: Date
    public var lastUsedAt: Date?
    public var revoked: Bool
    public init(id: UUID, name: String, permissions: [String], scope: ScopeRef, createdAt: Date, expiresAt: Date, lastUsedAt: Date?, revoked: Bool) {
        self.id = id; self.name = name; self.permissions = permissions; self.scope = scope
        self.createdAt = createdAt; self.expiresAt = expiresAt; self.lastUsedAt = lastUsedAt; self.revoked = revoked
    }
}

/// Shown once.
public struct APIKeyCreated: Codable, Sendable {
    public var apiKey: APIKey
    public var key: String
    public init(apiKey: APIKey, key: String) { self.apiKey = apiKey; self.key = key }
}

public struct NewEnrolmentToken: Codable, Sendable {
    /// The organisation whose node will enrol; it must be an active member of the federation.
    public var organisationId: UUID
    public var expiresInMinutes: Int?
    public init(organisationId: UUID, expiresInMinutes: Int? = nil) { self.organisationId = organisationId; self.expiresInMinutes = expiresInMinutes }
}

/// Shown once.
public struct EnrolmentTokenCreated: Codable, Sendable {
    public var token: String
    public var organisationId: UUID
    public var federationId: UUID
    public var expiresAt: Date
    public init(token: String, organisationId: UUID, federationId: UUID, expiresAt: Date) {
        self.token = token; self.organisationId = organisationId; self.federationId = federationId; self.expiresAt = expiresAt
    }
}

/// What `cumulus-agent enroll` sends: only the public halves of the keys it made.
public struct EnrolmentRequest: Codable, Sendable {
    public var token: String
    public var hostname: String
    /// Ed25519 public key, base64 (32 bytes).
    public var signingPublicKey: String
    /// X25519 public key, base64 (32 bytes).
    public var agreementPublicKey: String
    public init(token: String, hostname: String, signingPublicKey: String, agreementPublicKey: String) {
        self.token = token; self.hostname = hostname; self.signingPublicKey = signingPublicKey; self.agreementPublicKey = agreementPublicKey
    }
}

public struct EnrolledNode: Codable, Sendable, Equatable {
    public var nodeId: UUID
    public var organisationId: UUID
    public var federationId: UUID
    public init(nodeId: UUID, organisationId: UUID, federationId: UUID) { self.nodeId = nodeId; self.organisationId = organisationId; self.federationId = federationId }
}

/// A node proves it holds its private key: an Ed25519 signature over
/// `NodeTokenRequest.message(nodeId:timestamp:)`, with a timestamp newer than its last one.
public struct NodeTokenRequest: Codable, Sendable {
    public var nodeId: UUID
    /// Unix time in milliseconds.
    public var timestamp: Int64
    /// base64 Ed25519 signature.
    public var signature: String
    public init(nodeId: UUID, timestamp: Int64, signature: String) { self.nodeId = nodeId; self.timestamp = timestamp; self.signature = signature }

    public static func message(nodeId: UUID, timestamp: Int64) -> Data {
        Data("cumulus-node-token:\(nodeId.uuidString.lowercased()):\(timestamp)".utf8)
    }
}

// MARK: cloud credentials

/// An upload: `credential` is the provider's own format (AWS access key, GCP service-account
/// JSON key, Azure app registration, OpenStack Keystone v3 user), checked with the provider first.
public struct NewCloudCredential: Codable, Sendable {
    public var organisationId: UUID
    public var provider: String
    public var label: String
    public var credential: [String: String]
    public init(organisationId: UUID, provider: String, label: String, credential: [String: String]) {
        self.organisationId = organisationId; self.provider = provider; self.label = label; self.credential = credential
    }
}

public struct ReplacementCloudCredential: Codable, Sendable {
    public var credential: [String: String]
    public init(credential: [String: String]) { self.credential = credential }
}

/// A service's request to use a stored credential for one call to its provider: why, and for whom
/// (recorded in the audit log beside the service's own identity).
public struct CredentialUse: Codable, Sendable {
    public var purpose: String
    /// The person or key on whose behalf the service acts (their token subject).
    public var onBehalfOf: String
    public init(purpose: String, onBehalfOf: String) { self.purpose = purpose; self.onBehalfOf = onBehalfOf }
}

/// A credential with its secret fields, as governance hands it to one of the suite's services for
/// one call to the provider. The receiver keeps it in memory for that call only.
public struct UnsealedCloudCredential: Codable, Sendable {
    public var id: UUID
    public var organisationId: UUID
    public var provider: String
    public var account: String
    /// Every field as uploaded, secret ones included.
    public var credential: [String: String]
    public init(id: UUID, organisationId: UUID, provider: String, account: String, credential: [String: String]) {
        self.id = id; self.organisationId = organisationId; self.provider = provider; self.account = account; self.credential = credential
    }
}

/// What anyone may see of a stored credential: never a secret.
public struct CloudCredential: Codable, Sendable, Equatable {
    public var id: UUID
    public var organisationId: UUID
    public var provider: String
    public var label: String
    /// AWS account id, GCP project, Azure tenant, OpenStack project.
    public var account: String
    /// AWS ARN, GCP client_email, Azure client id, Keystone user id.
    public var principal: String
    /// The non-secret fields as uploaded (e.g. access_key_id, auth_url, client_id).
    public var publicFields: [String: String]
    public var status: String
    public var validatedAt: Date
    public var createdAt: Date
    public init(id: UUID, organisationId: UUID, provider: String, label: String, account: String, principal: String,
                publicFields: [String: String], status: String, validatedAt: Date, createdAt: Date) {
        self.id = id; self.organisationId = organisationId; self.provider = provider; self.label = label; self.account = account
        self.principal = principal; self.publicFields = publicFields; self.status = status; self.validatedAt = validatedAt; self.createdAt = createdAt
    }
}
