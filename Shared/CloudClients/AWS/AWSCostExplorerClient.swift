import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// AWS Cost Explorer `GetCostAndUsage` (JSON 1.1 protocol, SigV4 with service `ce`), grouped by
/// one cost-allocation tag and optionally filtered to some of its values. Follows
/// `NextPageToken` until the answer has none.
public struct AWSCostExplorerClient: Sendable {
    public static let defaultEndpoint = "https://ce.us-east-1.amazonaws.com"
    public static let defaultRegion = "us-east-1"

    let exchange: PricingHTTP
    public let endpoint: String
    let region: String
    let now: @Sendable () -> Date

    public init(http: HTTPClient, endpoint: String = defaultEndpoint, region: String = defaultRegion, timeout: TimeAmount = .seconds(30),
                now: @escaping @Sendable () -> Date = { Date() }) {
        exchange = PricingHTTP(http: http, timeout: timeout, maxAnswerBytes: 16 << 20)
        self.endpoint = AWSSTSCredentialValidator.withPath(endpoint)
        self.region = region
        self.now = now
    }

    /// One group of one time period: the tag's value (`Keys` = ["tagKey$value"]) and its amount.
    public struct Group: Sendable, Equatable {
        /// YYYY-MM-DD, start inclusive, end exclusive.
        public var start: String
        public var end: String
        /// The tag value ("" for untagged costs).
        public var tagValue: String
        /// Decimal USD as Cost Explorer writes it ("12.3456789").
        public var amount: String
        public var unit: String
        public var estimated: Bool
    }

    /// - Parameters:
    ///   - start: YYYY-MM-DD inclusive; `end`: YYYY-MM-DD exclusive.
    ///   - tagValues: when given, only costs carrying one of these values of `tagKey` are asked for.
    public func costAndUsage(
        credentials: AWSSigningCredentials, start: String, end: String, granularity: String = "DAILY", metric: String = "UnblendedCost",
        tagKey: String, tagValues: [String]? = nil
    ) async throws(PriceFetchError) -> [Group] {
        var groups: [Group] = []
        var token: String?
        var pages = 0
        repeat {
            pages += 1
            guard pages <= 1_000 else { throw .malformed(endpoint: ProviderExchange.label(endpoint), reason: "more than 1000 pages") }
            var body: [String: Any] = [
                "TimePeriod": ["Start": start, "End": end],
                "Granularity": granularity,
                "Metrics": [metric],
                "GroupBy": [["Type": "TAG", "Key": tagKey]],
            ]
            if let tagValues { body["Filter"] = ["Tags": ["Key": tagKey, "Values": tagValues, "MatchOptions": ["EQUALS"]]] }
            if let token { body["NextPageToken"] = token }
            let answer = try await call(target: "AWSInsightsIndexService.GetCostAndUsage", body: body, credentials: credentials)
            guard let results = answer["ResultsByTime"] as? [[String: Any]] else {
                throw .malformed(endpoint: ProviderExchange.label(endpoint), reason: "no ResultsByTime array")
            }
            for result in results {
                guard let period = result["TimePeriod"] as? [String: Any], let periodStart = period["Start"] as? String,
                      let periodEnd = period["End"] as? String else {
                    throw .malformed(endpoint: ProviderExchange.label(endpoint), reason: "a result has no TimePeriod")
                }
                let estimated = result["Estimated"] as? Bool ?? false
                for group in result["Groups"] as? [[String: Any]] ?? [] {
                    guard let key = (group["Keys"] as? [String])?.first,
                          let value = ((group["Metrics"] as? [String: Any])?[metric] as? [String: Any]),
                          let amount = value["Amount"] as? String
                    else { throw .malformed(endpoint: ProviderExchange.label(endpoint), reason: "a group lacks Keys or Metrics.\(metric).Amount") }
                    // Tag groups are keyed "tagKey$value"; an untagged cost is "tagKey$".
                    let tagValue = key.hasPrefix(tagKey + "$") ? String(key.dropFirst(tagKey.count + 1)) : key
                    groups.append(Group(start: periodStart, end: periodEnd, tagValue: tagValue, amount: amount,
                                        unit: value["Unit"] as? String ?? "USD", estimated: estimated))
                }
            }
            token = answer["NextPageToken"] as? String
        } while !(token?.isEmpty ?? true)
        return groups
    }

    func call(target: String, body: [String: Any], credentials: AWSSigningCredentials) async throws(PriceFetchError) -> [String: Any] {
        let label = ProviderExchange.label(endpoint)
        let bytes: [UInt8]
        do { bytes = Array(try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) } catch {
            throw .malformed(endpoint: label, reason: "request could not be encoded: \(error)")
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/x-amz-json-1.1")
        headers.add(name: "X-Amz-Target", value: target)
        let signer = SigV4Signer(credentials: credentials, service: "ce", region: region)
        do {
            headers.add(contentsOf: try signer.sign(method: "POST", url: endpoint, headers: headers, body: bytes, date: now()).headers)
        } catch {
            throw .unavailable(endpoint: label, reason: "configured endpoint is not usable: \(error)")
        }
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.headers = headers
        request.body = .bytes(ByteBuffer(bytes: bytes))
        let answer = try await exchange.send(request)
        guard (200..<300).contains(answer.status.code) else { throw PricingHTTP.rejection(answer, endpoint: label) }
        guard let object = (try? JSONSerialization.jsonObject(with: answer.data)) as? [String: Any] else {
            throw .malformed(endpoint: label, reason: "the answer is not a JSON object")
        }
        return object
    }
}
