import AsyncHTTPClient
import Foundation
import JWTKit
import NIOCore

/// Verifies tokens against governance's JWKS, fetched over HTTP and cached. An unknown `kid`
/// triggers one refresh (at most every `minimumRefreshInterval`), so a rotated signing key is
/// picked up without a restart and a flood of forged kids cannot hammer governance. A token
/// whose kid arrives just after a refresh waits for the next allowed one (at most `maximumWait`)
/// instead of being refused: otherwise a key rotated moments after a refresh would turn every
/// new token away until the interval passed.
public actor JWKSVerifier: AccessTokenVerifier {
    public typealias Fetch = @Sendable () async throws -> Data

    private let fetch: Fetch
    private let issuer: String
    private let minimumRefreshInterval: Duration
    private let maximumWait: Duration
    private var keys = JWTKeyCollection()
    private var keyIDs: Set<String> = []
    private var lastRefresh: ContinuousClock.Instant?
    /// Tokens already verified, until they expire. An agent presents the same token with every
    /// heartbeat, and the signature check was 15 % of the orchestrator's CPU under the heartbeat benchmark (perf). Revocation
    /// is not the verifier's business (the policy answers it per request), so a cached token is
    /// exactly as good as a re-verified one; the cache is emptied whenever the keys change.
    private var verified: [String: AccessTokenClaims] = [:]
    static let verifiedLimit = 10_000

    public init(issuer: String, minimumRefreshInterval: Duration = .seconds(2), maximumWait: Duration? = nil, fetch: @escaping Fetch) {
        self.fetch = fetch
        self.issuer = issuer
        self.minimumRefreshInterval = minimumRefreshInterval
        self.maximumWait = maximumWait ?? minimumRefreshInterval
    }

    /// Fetches the JWKS document from `url` with `client`.
    public init(url: URL, issuer: String, client: HTTPClient) {
        self.init(issuer: issuer) {
            let response = try await client.execute(HTTPClientRequest(url: url.absoluteString), timeout: .seconds(5))
            guard response.status == .ok else { throw TokenRejection.keysUnavailable("\(url.absoluteString) answered \(response.status.code)") }
            let body = try await response.body.collect(upTo: 1 << 20)
            return Data(buffer: body)
        }
    }

    public func verify(_ token: String) async throws(TokenRejection) -> AccessTokenClaims {
        if let claims = verified[token] {
            if claims.exp.value > Date.now { return claims }
            verified[token] = nil
        }
        let claims = try await verifyUncached(token)
        if verified.count >= Self.verifiedLimit { verified.removeAll(keepingCapacity: true) }
        verified[token] = claims
        return claims
    }

    private func verifyUncached(_ token: String) async throws(TokenRejection) -> AccessTokenClaims {
        let header = try TokenHeader.parse(token)
        let kid = header.kid ?? ""
        if !keyIDs.contains(kid) {
            try await refreshIfAllowed()
            guard keyIDs.contains(kid) else { throw .unknownKey(kid) }
        }
        return try await StaticKeyVerifier.verify(token, with: keys, issuer: issuer)
    }

    private func refreshIfAllowed() async throws(TokenRejection) {
        let asked = ContinuousClock.now
        if let last = lastRefresh, asked - last < minimumRefreshInterval {
            let next = last + minimumRefreshInterval
            guard next - asked <= maximumWait else { return }
            try? await Task.sleep(until: next)
            // Someone else refreshed while this request waited: their answer is ours.
            if let latest = lastRefresh, latest > last { return }
        }
        lastRefresh = ContinuousClock.now
        let document: JWKS
        do {
            document = try JSONDecoder().decode(JWKS.self, from: try await fetch())
        } catch let rejection as TokenRejection {
            throw rejection
        } catch {
            throw .keysUnavailable("\(error)")
        }
        let fresh = JWTKeyCollection()
        var ids: Set<String> = []
        for key in document.keys {
            guard let kid = key.keyIdentifier?.string else { continue }
            do {
                try await fresh.add(jwk: key)
                ids.insert(kid)
            } catch {
                continue  // A key type we cannot use is skipped, not fatal: the others still work.
            }
        }
        keys = fresh
        keyIDs = ids
        verified.removeAll()
    }
}
