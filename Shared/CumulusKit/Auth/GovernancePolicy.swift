import AsyncHTTPClient
import CumulusAPI
import Foundation
import Logging
import NIOCore
import ServiceLifecycle

/// The policy every service but governance uses: it asks governance what the caller may do
/// (`GET /api/v1/auth/permissions`, with the caller's own token), caches the answer per subject
/// for a short while, and forgets everything when governance announces a role change on the
/// `cumulus.roles.changed` stream (see `RoleChangeListener`).
public actor GovernancePolicy: AuthorizationPolicy {
    public static let rolesChangedStream = "cumulus.roles.changed"

    private let permissionsURL: String
    private let client: InternalClient
    private let lifetime: Duration
    private var cache: [String: (permissions: EffectivePermissions, expires: ContinuousClock.Instant)] = [:]
    /// How many times governance was asked (the rest came from the cache).
    public private(set) var fetches = 0

    public init(governanceURL: URL, client: InternalClient, lifetime: Duration = .seconds(60)) {
        self.permissionsURL = governanceURL.absoluteString.trimmingSuffix("/") + "/api/v1/auth/permissions"
        self.client = client
        self.lifetime = lifetime
    }

    public func allows(_ identity: Identity, _ permission: Permission, in scope: AuthorizationScope) async throws -> Bool {
        try await permissions(of: identity).allows(permission.rawValue, in: ScopeRef(scope))
    }

    public func permissions(of identity: Identity) async throws -> EffectivePermissions {
        let now = ContinuousClock.now
        if let cached = cache[identity.subject], cached.expires > now { return cached.permissions }
        guard let token = identity.token else { throw Problem.unauthorized("no token to ask governance with") }
        var request = HTTPClientRequest(url: permissionsURL)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response = try await client.execute(request, requestID: nil)
        let body = try await response.body.collect(upTo: 4 << 20)
        guard response.status == .ok else {
            // Governance refusing the token means the caller is not who they claim any more.
            if response.status == .unauthorized { throw Problem.unauthorized("governance no longer accepts this token") }
            throw Problem(.serviceUnavailable, detail: "governance could not say what the caller may do (HTTP \(response.status.code))")
        }
        let permissions = try JSONDecoder().decode(EffectivePermissions.self, from: Data(buffer: body))
        fetches += 1
        cache[identity.subject] = (permissions, now + lifetime)
        return permissions
    }

    /// Drops every cached answer (a role, binding or membership changed somewhere).
    public func forgetAll() {
        cache.removeAll()
    }
}

/// Tails `cumulus.roles.changed` and clears the policy's cache on every message. Every replica
/// reads the whole stream (no consumer group), because every replica has its own cache.
public struct RoleChangeListener: Service {
    let policy: GovernancePolicy
    let connection: RedisConnection
    let logger: Logger
    let startAfter: String?

    /// `startAfter` is the stream id to read after; by default the stream's newest message when
    /// the listener starts (older changes are already reflected in whatever is fetched next).
    public init(policy: GovernancePolicy, connection: RedisConnection, logger: Logger, startAfter: String? = nil) {
        self.policy = policy
        self.connection = connection
        self.logger = logger
        self.startAfter = startAfter
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var last = startAfter
            while !Task.isCancelled {
                do {
                    if last == nil { last = try await connection.lastID(GovernancePolicy.rolesChangedStream) }
                    let messages = try await connection.read(GovernancePolicy.rolesChangedStream, after: last!, block: .seconds(1))
                    if let newest = messages.last {
                        last = newest.id
                        await policy.forgetAll()
                        logger.debug("roles changed; permission cache cleared", metadata: ["reason": .string(newest.fields["reason"] ?? "")])
                    }
                } catch {
                    // Missing a notice only delays: cached answers also expire on their own.
                    logger.warning("role-change listener: \(error)")
                    await policy.forgetAll()
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
        await connection.close()
    }
}

extension ScopeRef {
    public init(_ scope: AuthorizationScope) {
        switch scope {
        case .platform: self = .platform
        case .organisation(let id): self = .organisation(id)
        case .federation(let id): self = .federation(id)
        }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        var text = self
        while text.hasSuffix(suffix) { text.removeLast(suffix.count) }
        return text
    }
}
