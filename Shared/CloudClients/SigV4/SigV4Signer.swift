import Crypto
import Foundation
import NIOHTTP1

/// AWS Signature Version 4 (header form), as a pure function of the request, the credentials and
/// the clock. It matches botocore's `SigV4Auth` (and `S3SigV4Auth` with `.s3(...)`) byte for byte;
/// the tests compare against signatures botocore computed.
///
/// Usage: build the request, call `sign(...)`, set each of `signature.headers` on the request
/// (replacing a header of the same name; they include `Host` when the request had none, because
/// the host is signed), then send exactly the URL, headers and body that were signed.
public struct SigV4Signer: Sendable {
    /// How the path becomes the canonical URI.
    public enum PathStyle: Sendable, Hashable {
        /// Every service but S3: dot segments and repeated slashes removed, escaped twice.
        case normalized
        /// S3: the path exactly as sent.
        case asSent
    }

    public var credentials: AWSSigningCredentials
    public var service: String
    public var region: String
    public var pathStyle: PathStyle
    /// Whether to send the payload hash in `X-Amz-Content-Sha256` (S3 requires it; other
    /// services accept it but do not need it).
    public var sendsContentSHA256: Bool

    public init(
        credentials: AWSSigningCredentials,
        service: String,
        region: String,
        pathStyle: PathStyle = .normalized,
        sendsContentSHA256: Bool = false
    ) {
        self.credentials = credentials
        self.service = service
        self.region = region
        self.pathStyle = pathStyle
        self.sendsContentSHA256 = sendsContentSHA256
    }

    /// A signer with S3's rules.
    public static func s3(credentials: AWSSigningCredentials, region: String) -> SigV4Signer {
        SigV4Signer(credentials: credentials, service: "s3", region: region, pathStyle: .asSent, sendsContentSHA256: true)
    }

    /// What signing produced: the headers to add, and the intermediate strings (useful when a
    /// server disagrees; they hold no secret).
    public struct Signature: Sendable, Equatable {
        /// Headers to add to the request: `Host` (only when the request had none),
        /// `X-Amz-Date`, `X-Amz-Security-Token` (with a session token), `X-Amz-Content-Sha256`
        /// (when enabled), and `Authorization` last.
        public var headers: HTTPHeaders
        public var canonicalRequest: String
        public var stringToSign: String
        /// The hex signature inside the Authorization header.
        public var signature: String
    }

    /// Headers that proxies or the HTTP stack may change or drop, so they are never signed
    /// (botocore's list).
    static let unsignedHeaders: Set<String> = [
        "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
        "trailer", "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id", "authorization",
    ]

    /// The SHA-256 of an empty body, which most GET requests sign.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// Signs a request whose body is `body`.
    /// - Parameters:
    ///   - url: the absolute URL as it will be sent; its query must already be percent-encoded
    ///     (`SigV4Signer.query(_:)` builds one), and "+" is taken literally.
    ///   - headers: the headers the request will carry; all are signed except the ones in
    ///     `unsignedHeaders`.
    public func sign(method: String, url: String, headers: HTTPHeaders = [:], body: some Collection<UInt8>, date: Date) throws(SigV4Error) -> Signature {
        try sign(method: method, url: url, headers: headers, payloadHash: Self.hexSHA256(body), date: date)
    }

    /// Signs a request whose body's SHA-256 (lower-case hex) is already known, or
    /// `"UNSIGNED-PAYLOAD"` where the service allows it.
    public func sign(method: String, url: String, headers: HTTPHeaders = [:], payloadHash: String, date: Date) throws(SigV4Error) -> Signature {
        let target = try SigV4URL(url)
        let timestamp = SigV4Timestamp(date)

        // Headers this signer sets replace any the caller supplied, as botocore does.
        var replaced: Set<String> = ["x-amz-date"]
        if credentials.sessionToken != nil { replaced.insert("x-amz-security-token") }
        if sendsContentSHA256 { replaced.insert("x-amz-content-sha256") }

        var signed: [String: [String]] = [:]
        var payloadHash = payloadHash
        for (name, value) in headers {
            let lower = name.lowercased()
            if Self.unsignedHeaders.contains(lower) || replaced.contains(lower) { continue }
            signed[lower, default: []].append(value)
            // A caller-supplied payload hash header is what the server checks, so sign that.
            if lower == "x-amz-content-sha256" { payloadHash = value }
        }

        var added = HTTPHeaders()
        if signed["host"] == nil {
            signed["host"] = [target.hostHeader]
            added.add(name: "Host", value: target.hostHeader)
        }
        signed["x-amz-date"] = [timestamp.dateTime]
        added.add(name: "X-Amz-Date", value: timestamp.dateTime)
        if let token = credentials.sessionToken {
            signed["x-amz-security-token"] = [token]
            added.add(name: "X-Amz-Security-Token", value: token)
        }
        if sendsContentSHA256 {
            signed["x-amz-content-sha256"] = [payloadHash]
            added.add(name: "X-Amz-Content-Sha256", value: payloadHash)
        }

        let names = signed.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let canonicalHeaders = names.map { name in
            "\(name):" + signed[name]!.map(Self.trimAll).joined(separator: ",")
        }
        let signedHeaders = names.joined(separator: ";")
        let canonicalURI = switch pathStyle {
        case .normalized: SigV4Encoding.canonicalPathNormalized(target.path)
        case .asSent: SigV4Encoding.canonicalPathAsSent(target.path)
        }
        let canonicalRequest = [
            method.uppercased(),
            canonicalURI,
            SigV4Encoding.canonicalQuery(target.query),
            canonicalHeaders.joined(separator: "\n") + "\n",
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")

        let scope = "\(timestamp.date)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256",
            timestamp.dateTime,
            scope,
            Self.hexSHA256(Array(canonicalRequest.utf8)),
        ].joined(separator: "\n")

        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: signingKey(date: timestamp.date)))
        added.add(
            name: "Authorization",
            value: "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        )
        return Signature(headers: added, canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature)
    }

    /// A query string in AWS's canonical encoding, for building the URL to sign and send.
    public static func query(_ items: [(name: String, value: String)]) -> String {
        SigV4Encoding.query(items)
    }

    private func signingKey(date: String) -> SymmetricKey {
        func hmac(_ key: SymmetricKey, _ message: String) -> SymmetricKey {
            SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: key))
        }
        let secret = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        return hmac(hmac(hmac(hmac(secret, date), region), service), "aws4_request")
    }

    /// Trims and collapses runs of whitespace to one space (SigV4's "Trimall").
    static func trimAll(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" })
            .joined(separator: " ")
    }

    static func hexSHA256(_ bytes: some Collection<UInt8>) -> String {
        hex(SHA256.hash(data: Array(bytes)))
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
