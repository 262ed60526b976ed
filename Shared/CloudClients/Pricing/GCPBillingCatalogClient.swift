import AsyncHTTPClient
import Foundation
import NIOCore

/// One SKU of the Cloud Billing Catalog API (`GET /v1/services/{service}/skus`), reduced to what
/// pricing needs: its description, category, regions and the first tier's unit price.
public struct GCPSKU: Sendable, Equatable {
    public var skuId: String
    /// e.g. "N2 Instance Core running in Frankfurt".
    public var description: String
    public var resourceFamily: String
    public var resourceGroup: String
    /// `OnDemand`, `Preemptible`, `Commit1Yr`, …
    public var usageType: String
    public var serviceRegions: [String]
    /// `h` (vCPU-hours) or `GiBy.h` (GiB-hours of memory).
    public var usageUnit: String
    /// USD per usage unit: `units + nanos / 10⁹` of the first tier.
    public var unitPriceUSD: Double
    public var effectiveTime: String
}

/// Reads Compute Engine SKUs from the Cloud Billing Catalog API, following `nextPageToken`.
/// An API key is sent as `key=`; the endpoint and key come from configuration.
public struct GCPBillingCatalogClient: Sendable {
    public static let defaultEndpoint = "https://cloudbilling.googleapis.com"
    /// Compute Engine's service id in the catalogue.
    public static let computeEngineService = "6F81-5844-456A"

    let exchange: PricingHTTP
    public let endpoint: String
    let apiKey: String?
    public let maxPages: Int

    public init(http: HTTPClient, endpoint: String = defaultEndpoint, apiKey: String?, maxPages: Int = 1_000, timeout: TimeAmount = .seconds(60)) {
        exchange = PricingHTTP(http: http, timeout: timeout, maxAnswerBytes: 32 << 20)
        var endpoint = endpoint
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        self.endpoint = endpoint
        self.apiKey = apiKey
        self.maxPages = maxPages
    }

    public func skus(service: String = computeEngineService) async throws(PriceFetchError) -> [GCPSKU] {
        var skus: [GCPSKU] = []
        var token: String?
        for page in 1...maxPages {
            var query: [(name: String, value: String)] = [("currencyCode", "USD"), ("pageSize", "5000")]
            if let apiKey { query.append(("key", apiKey)) }
            if let token { query.append(("pageToken", token)) }
            let url = "\(endpoint)/v1/services/\(SigV4Encoding.encode(service))/skus?" + SigV4Encoding.query(query)
            let document = try await exchange.getJSONObject(url)
            guard let raw = document["skus"] as? [[String: Any]] else {
                // An empty catalogue page omits the array.
                if document["skus"] == nil, (document["nextPageToken"] as? String ?? "").isEmpty { return skus }
                throw .malformed(endpoint: ProviderExchange.label(url), reason: "page \(page): skus is not an array")
            }
            for (index, item) in raw.enumerated() {
                guard let sku = Self.sku(item) else {
                    throw .malformed(endpoint: ProviderExchange.label(url), reason: "page \(page) sku \(index) lacks description, category or pricingInfo")
                }
                skus.append(sku)
            }
            token = document["nextPageToken"] as? String
            if token?.isEmpty ?? true { return skus }
        }
        throw .malformed(endpoint: ProviderExchange.label(endpoint), reason: "more than \(maxPages) pages")
    }

    static func sku(_ raw: [String: Any]) -> GCPSKU? {
        guard let description = raw["description"] as? String, let category = raw["category"] as? [String: Any],
              let pricing = (raw["pricingInfo"] as? [[String: Any]])?.first,
              let expression = pricing["pricingExpression"] as? [String: Any],
              let tier = (expression["tieredRates"] as? [[String: Any]])?.first,
              let price = tier["unitPrice"] as? [String: Any]
        else { return nil }
        let units = Double((price["units"] as? String) ?? "0") ?? 0
        let nanos = (price["nanos"] as? NSNumber)?.doubleValue ?? 0
        return GCPSKU(
            skuId: raw["skuId"] as? String ?? "", description: description, resourceFamily: category["resourceFamily"] as? String ?? "",
            resourceGroup: category["resourceGroup"] as? String ?? "", usageType: category["usageType"] as? String ?? "",
            serviceRegions: raw["serviceRegions"] as? [String] ?? [], usageUnit: expression["usageUnit"] as? String ?? "",
            unitPriceUSD: units + nanos / 1e9, effectiveTime: pricing["effectiveTime"] as? String ?? "")
    }
}
