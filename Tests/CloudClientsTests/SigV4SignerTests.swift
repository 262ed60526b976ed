import Foundation
import NIOHTTP1
import Testing

@testable import CloudClients

/// One request botocore signed (see Fixtures/make_sigv4_fixtures.py).
struct SigV4Fixture: Decodable, Sendable, CustomTestStringConvertible {
    struct Expected: Decodable, Sendable {
        let authorization: String
        let xAmzDate: String
        let xAmzSecurityToken: String?
        let xAmzContentSHA256: String?
        let canonicalRequest: String
        let stringToSign: String
    }

    let name: String
    let method: String
    let url: String
    let headers: [[String]]
    let body: String
    let service: String
    let region: String
    let accessKeyID: String
    let secretAccessKey: String
    let sessionToken: String?
    let s3: Bool
    let date: String
    let expected: Expected

    var testDescription: String { name }

    static func load() throws -> [SigV4Fixture] {
        struct File: Decodable { let cases: [SigV4Fixture] }
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/sigv4_fixtures.json")
        return try JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases
    }

    var signer: SigV4Signer {
        let credentials = AWSSigningCredentials(accessKeyID: accessKeyID, secretAccessKey: secretAccessKey, sessionToken: sessionToken)
        return s3 ? .s3(credentials: credentials, region: region) : SigV4Signer(credentials: credentials, service: service, region: region)
    }

    var signingDate: Date {
        var components = DateComponents()
        components.timeZone = TimeZone(identifier: "UTC")
        components.year = Int(date.prefix(4))
        components.month = Int(date.dropFirst(4).prefix(2))
        components.day = Int(date.dropFirst(6).prefix(2))
        components.hour = Int(date.dropFirst(9).prefix(2))
        components.minute = Int(date.dropFirst(11).prefix(2))
        components.second = Int(date.dropFirst(13).prefix(2))
        return Calendar(identifier: .gregorian).date(from: components)!
    }

    var httpHeaders: HTTPHeaders { HTTPHeaders(headers.map { ($0[0], $0[1]) }) }
}

@Suite("SigV4Signer")
struct SigV4SignerTests {
    @Test("fixture file covers the required cases")
    func fixtureCoverage() throws {
        let cases = try SigV4Fixture.load()
        #expect(cases.count >= 5)
        #expect(cases.contains { $0.url.contains("?") && $0.url.contains("%") })
        #expect(cases.contains { $0.method == "POST" && $0.body.hasPrefix("Action=") })
        #expect(cases.contains { $0.sessionToken != nil })
    }

    @Test("matches botocore byte for byte", arguments: try SigV4Fixture.load())
    func matchesBotocore(_ fixture: SigV4Fixture) throws {
        let signature = try fixture.signer.sign(
            method: fixture.method, url: fixture.url, headers: fixture.httpHeaders,
            body: Array(fixture.body.utf8), date: fixture.signingDate)
        #expect(signature.canonicalRequest == fixture.expected.canonicalRequest)
        #expect(signature.stringToSign == fixture.expected.stringToSign)
        #expect(signature.headers.first(name: "Authorization") == fixture.expected.authorization)
        #expect(signature.headers.first(name: "X-Amz-Date") == fixture.expected.xAmzDate)
        #expect(signature.headers.first(name: "X-Amz-Security-Token") == fixture.expected.xAmzSecurityToken)
        #expect(signature.headers.first(name: "X-Amz-Content-Sha256") == fixture.expected.xAmzContentSHA256)
    }

    @Test("adds the Host it signed, and only when the request has none")
    func hostHeader() throws {
        let signer = SigV4Signer(credentials: .init(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret"), service: "sts", region: "us-east-1")
        let date = Date(timeIntervalSince1970: 1_736_929_800)
        let added = try signer.sign(method: "GET", url: "HTTPS://STS.Amazonaws.com:443/", body: [UInt8](), date: date)
        #expect(added.headers.first(name: "Host") == "sts.amazonaws.com")
        let custom = try signer.sign(method: "GET", url: "http://127.0.0.1:5000/", body: [UInt8](), date: date)
        #expect(custom.headers.first(name: "Host") == "127.0.0.1:5000")
        let given = try signer.sign(method: "GET", url: "https://sts.amazonaws.com/", headers: ["Host": "sts.amazonaws.com"], body: [UInt8](), date: date)
        #expect(given.headers.first(name: "Host") == nil)
        #expect(given.canonicalRequest.contains("\nhost:sts.amazonaws.com\n"))
    }

    @Test("the signature depends on the secret, the date and the body")
    func signatureSensitivity() throws {
        let date = Date(timeIntervalSince1970: 1_736_929_800)
        func signature(secret: String = "secret", date: Date = date, body: String = "Action=GetCallerIdentity") throws -> String {
            try SigV4Signer(credentials: .init(accessKeyID: "AKIDEXAMPLE", secretAccessKey: secret), service: "sts", region: "us-east-1")
                .sign(method: "POST", url: "https://sts.amazonaws.com/", body: Array(body.utf8), date: date).signature
        }
        let base = try signature()
        #expect(base.count == 64)
        #expect(try signature(secret: "secreT") != base)
        #expect(try signature(date: date.addingTimeInterval(1)) != base)
        #expect(try signature(body: "Action=GetCallerIdentitz") != base)
    }

    @Test("query pairs are decoded and re-encoded canonically, then sorted")
    func canonicalQuery() {
        #expect(SigV4Encoding.canonicalQuery("b=%7e&a=%2f%41&a=%2F%40") == "a=%2F%40&a=%2FA&b=~")
        #expect(SigV4Encoding.canonicalQuery("flag&x=1") == "flag=&x=1")
        #expect(SigV4Encoding.canonicalQuery("a=b+c") == "a=b%2Bc")
        #expect(SigV4Encoding.canonicalQuery("bad=%zz%4") == "bad=%25zz%254")
        #expect(SigV4Encoding.canonicalQuery(nil) == "")
        #expect(SigV4Signer.query([("key", "a b/é"), ("x", "~")]) == "key=a%20b%2F%C3%A9&x=~")
    }

    @Test("paths: dot segments and empty segments go, escapes are escaped again")
    func canonicalPath() {
        #expect(SigV4Encoding.canonicalPathNormalized("") == "/")
        #expect(SigV4Encoding.canonicalPathNormalized("/") == "/")
        #expect(SigV4Encoding.canonicalPathNormalized("/a/./b/../c//d/") == "/a/c/d/")
        #expect(SigV4Encoding.canonicalPathNormalized("/a%20b") == "/a%2520b")
        #expect(SigV4Encoding.canonicalPathNormalized("/../..") == "/")
        #expect(SigV4Encoding.canonicalPathAsSent("/a//b%20c") == "/a//b%20c")
    }

    @Test("timestamps are UTC", arguments: [
        (0.0, "19700101T000000Z"),
        (951_782_400.0, "20000229T000000Z"),
        (1_709_251_199.999, "20240229T235959Z"),
        (1_736_929_800.0, "20250115T083000Z"),
        (4_102_444_800.0, "21000101T000000Z"),
    ])
    func timestamps(_ seconds: Double, _ expected: String) {
        let timestamp = SigV4Timestamp(Date(timeIntervalSince1970: seconds))
        #expect(timestamp.dateTime == expected)
        #expect(timestamp.date == String(expected.prefix(8)))
    }

    @Test("refuses URLs it cannot sign", arguments: ["sts.amazonaws.com/", "ftp://host/", "https:///path", "https://host:99999/"])
    func invalidURLs(_ url: String) {
        let signer = SigV4Signer(credentials: .init(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret"), service: "sts", region: "us-east-1")
        #expect(throws: SigV4Error.self) {
            try signer.sign(method: "GET", url: url, body: [UInt8](), date: Date())
        }
    }

    @Test("credentials never show their secret or token")
    func credentialsRedacted() {
        let credentials = AWSSigningCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "s3cr3t-value", sessionToken: "t0ken-value")
        for text in [credentials.description, String(reflecting: credentials), "\(credentials)", dumped(credentials)] {
            #expect(text.contains("AKIDEXAMPLE"))
            #expect(!text.contains("s3cr3t-value"))
            #expect(!text.contains("t0ken-value"))
        }
    }
}

func dumped(_ value: some Any) -> String {
    var text = ""
    dump(value, to: &text)
    return text
}
