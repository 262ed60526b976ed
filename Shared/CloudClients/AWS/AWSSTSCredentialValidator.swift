import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Checks an AWS access key with STS GetCallerIdentity, which every valid key may call (no IAM
/// permission needed) and which answers with the key's account and ARN.
public struct AWSSTSCredentialValidator: CloudCredentialValidator {
    public static let defaultEndpoint = "https://sts.amazonaws.com"
    public static let defaultRegion = "us-east-1"

    let exchange: ProviderExchange
    let endpoint: String
    let region: String
    let now: @Sendable () -> Date

    /// - Parameters:
    ///   - endpoint: the STS endpoint (a regional one such as https://sts.eu-west-1.amazonaws.com
    ///     needs the matching `region`).
    ///   - region: the region in the signature's scope.
    public init(
        http: HTTPClient,
        endpoint: String = defaultEndpoint,
        region: String = defaultRegion,
        timeout: TimeAmount = .seconds(10),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.exchange = ProviderExchange(provider: .aws, http: http, timeout: timeout)
        self.endpoint = endpoint
        self.region = region
        self.now = now
    }

    /// Error codes that say nothing about the key (AWS is busy or broken): a 502, not a 422.
    static let transientCodes: Set<String> = [
        "Throttling", "ThrottlingException", "RequestLimitExceeded", "ServiceUnavailable",
        "InternalFailure", "InternalError", "RequestTimeout",
    ]

    public func validate(_ input: AWSCredentialInput) async throws(CredentialValidationError) -> ValidatedCredential {
        try input.validate()
        let url = Self.withPath(endpoint)
        let body = FormEncoding.encode([("Action", "GetCallerIdentity"), ("Version", "2011-06-15")])
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: FormEncoding.contentType)
        headers.add(name: "Accept", value: "text/xml")

        let signer = SigV4Signer(credentials: input.signingCredentials, service: "sts", region: region)
        let signature: SigV4Signer.Signature
        do {
            signature = try signer.sign(method: "POST", url: url, headers: headers, body: Array(body.utf8), date: now())
        } catch {
            throw .providerUnavailable(provider: .aws, endpoint: ProviderExchange.label(url), reason: "configured endpoint is not usable: \(error)")
        }
        headers.add(contentsOf: signature.headers)

        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers = headers
        request.body = .bytes(ByteBuffer(string: body))
        let answer = try await exchange.send(request)
        let xml = String(decoding: answer.bytes, as: UTF8.self)

        if answer.status == .ok {
            guard let account = AWSQueryXML.text(of: "Account", in: xml), !account.isEmpty,
                  let arn = AWSQueryXML.text(of: "Arn", in: xml), !arn.isEmpty
            else { throw exchange.unexpected(answer, url: url, "answer is not a GetCallerIdentity result") }
            var details: [String: String] = [:]
            if let userID = AWSQueryXML.text(of: "UserId", in: xml) { details["user_id"] = userID }
            return ValidatedCredential(provider: .aws, account: account, principal: arn, validatedAt: now(), details: details)
        }

        guard let code = AWSQueryXML.text(of: "Code", in: xml) else {
            throw exchange.unexpected(answer, url: url, "answer is not an AWS error document")
        }
        let message = AWSQueryXML.text(of: "Message", in: xml) ?? ""
        if answer.status.code >= 500 || Self.transientCodes.contains(code) {
            throw .providerUnavailable(provider: .aws, endpoint: ProviderExchange.label(url),
                                       reason: "\(code): \(message) (HTTP \(answer.status.code))")
        }
        throw .rejected(provider: .aws, code: code, message: message)
    }

    /// STS is called on "/"; an endpoint given without a path gets one, so the signed path and
    /// the sent path agree.
    static func withPath(_ endpoint: String) -> String {
        guard let schemeEnd = endpoint.range(of: "://") else { return endpoint }
        return endpoint[schemeEnd.upperBound...].contains("/") ? endpoint : endpoint + "/"
    }
}
