import AsyncHTTPClient
import NIOCore

/// HTTP clients for the cloud providers' own APIs: AWS Signature Version 4 (`SigV4Signer`) and
/// the credential checks governance runs before it accepts an uploaded cloud credential
/// (`CloudCredentialValidator` and its four providers).
public enum CloudClients {
    /// The `HTTPClient` configuration the validators expect:
    /// - redirects are never followed: an answer from somewhere other than the endpoint we chose
    ///   must not count, and a redirect must not carry a signed request or a JWT assertion
    ///   elsewhere (validators also refuse an answer that came through a redirect, whatever the
    ///   client does);
    /// - a refused connection fails the request at once instead of being retried until the
    ///   deadline, so someone uploading a credential with a wrong endpoint hears so quickly.
    public static func recommendedHTTPConfiguration(connectTimeout: TimeAmount = .seconds(5)) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: connectTimeout, read: .seconds(30))
        )
        configuration.connectionPool.retryConnectionEstablishment = false
        return configuration
    }
}
