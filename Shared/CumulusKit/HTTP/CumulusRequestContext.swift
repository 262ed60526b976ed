import Foundation
import Hummingbird
import Logging
import NIOCore

/// The request context of every Cumulus service: Hummingbird's core plus who is calling and the
/// policy that decides what they may do.
public struct CumulusRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthenticationMiddleware` when a valid bearer token came with the request.
    public var identity: Identity?
    /// Set by `AuthenticationMiddleware`; decides `require(...)`.
    public var policy: any AuthorizationPolicy = DenyAllPolicy()

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }

    /// JSON bodies larger than this are refused with 413 before decoding; it matches the gateway's
    /// default body limit. Model uploads stream and check their own limit.
    public var maxUploadSize: Int { 1 << 20 }

    /// The caller's identity if they hold `permission` in `scope`; otherwise 401 (no valid token)
    /// or 403 naming the missing permission.
    @discardableResult
    public func require(_ permission: Permission, in scope: AuthorizationScope) async throws -> Identity {
        guard let identity else { throw Problem.unauthorized("this endpoint needs a bearer token") }
        guard try await policy.allows(identity, permission, in: scope) else {
            throw Problem.forbidden(permission: permission.rawValue, scope: scope.description)
        }
        return identity
    }

    /// The caller's identity, or 401.
    public func requireIdentity() throws -> Identity {
        guard let identity else { throw Problem.unauthorized("this endpoint needs a bearer token") }
        return identity
    }

    /// The calling enrolled node, or 401 without a token and 403 for a person's or service's
    /// token (`purpose` says what the endpoint is for).
    public func requireNode(for purpose: String) throws -> NodeIdentity {
        let identity = try requireIdentity()
        guard let node = identity.nodeID, let organisation = identity.organisation else {
            throw Problem(.forbidden, detail: "\(purpose) is for enrolled nodes; the token names a \(identity.kind.rawValue)")
        }
        return NodeIdentity(identity: identity, node: node, organisation: organisation)
    }
}

/// An enrolled node calling: its token's identity, its id and its organisation.
public struct NodeIdentity: Sendable {
    public let identity: Identity
    public let node: UUID
    public let organisation: UUID
}
