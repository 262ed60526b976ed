import AsyncHTTPClient
import Foundation
import NIOCore

/// One item of the Azure Retail Prices API (public, no authentication), as documented at
/// https://learn.microsoft.com/rest/api/cost-management/retail-prices/azure-retail-prices.
public struct AzureRetailPrice: Sendable, Equatable {
    public var currencyCode: String
    public var retailPrice: Double
    public var armRegionName: String
    public var armSkuName: String
    public var skuName: String
    public var productName: String
    public var serviceName: String
    public var unitOfMeasure: String
    /// `Consumption`, `Reservation`, `DevTestConsumption`.
    public var type: String
    public var effectiveStartDate: String

    public init(currencyCode: String, retailPrice: Double, armRegionName: String, armSkuName: String, skuName: String, productName: String,
                serviceName: String, unitOfMeasure: String, type: String, effectiveStartDate: String) {
        self.currencyCode = currencyCode; self.retailPrice = retailPrice; self.armRegionName = armRegionName; self.armSkuName = armSkuName
        self.skuName = skuName; self.productName = productName; self.serviceName = serviceName; self.unitOfMeasure = unitOfMeasure
        self.type = type; self.effectiveStartDate = effectiveStartDate
    }

    /// A pay-as-you-go Linux virtual-machine hour: not Windows, not spot or low priority, billed
    /// per hour, consumption pricing.
    public var isLinuxOnDemandHour: Bool {
        serviceName == "Virtual Machines" && type == "Consumption" && unitOfMeasure == "1 Hour" && !armSkuName.isEmpty
            && !productName.contains("Windows") && !skuName.contains("Spot") && !skuName.contains("Low Priority")
    }
}

/// Reads the Azure Retail Prices API, following `NextPageLink` until it is null. The link must
/// stay on the endpoint's origin; more than `maxPages` pages is an error rather than a silent cut.
public struct AzureRetailPricesClient: Sendable {
    public static let defaultEndpoint = "https://prices.azure.com/api/retail/prices"

    let exchange: PricingHTTP
    public let endpoint: String
    public let maxPages: Int

    public init(http: HTTPClient, endpoint: String = defaultEndpoint, maxPages: Int = 2_000, timeout: TimeAmount = .seconds(60)) {
        exchange = PricingHTTP(http: http, timeout: timeout, maxAnswerBytes: 16 << 20)
        self.endpoint = endpoint
        self.maxPages = maxPages
    }

    /// The OData filter for Linux-and-Windows VM consumption prices, optionally in some regions.
    public static func virtualMachineFilter(regions: [String] = []) -> String {
        var filter = "serviceName eq 'Virtual Machines' and priceType eq 'Consumption'"
        if !regions.isEmpty {
            filter += " and (" + regions.map { "armRegionName eq '\($0.replacingOccurrences(of: "'", with: "''"))'" }.joined(separator: " or ") + ")"
        }
        return filter
    }

    /// Every item matching `filter`, across all pages, in the API's order.
    public func prices(filter: String) async throws(PriceFetchError) -> [AzureRetailPrice] {
        var url = endpoint + "?currencyCode=%27USD%27&%24filter=" + SigV4Encoding.encode(filter)
        var items: [AzureRetailPrice] = []
        var pages = 0
        while true {
            pages += 1
            guard pages <= maxPages else {
                throw .malformed(endpoint: ProviderExchange.label(endpoint), reason: "more than \(maxPages) pages; narrow the filter")
            }
            let page = try await exchange.getJSONObject(url)
            guard let rawItems = page["Items"] as? [[String: Any]] else {
                throw .malformed(endpoint: ProviderExchange.label(url), reason: "page \(pages) has no Items array")
            }
            for (index, raw) in rawItems.enumerated() {
                guard let item = Self.item(raw) else {
                    throw .malformed(endpoint: ProviderExchange.label(url), reason: "page \(pages) item \(index) lacks retailPrice, armRegionName or currencyCode")
                }
                items.append(item)
            }
            guard let next = page["NextPageLink"] as? String, !next.isEmpty else { return items }
            guard PricingHTTP.sameOrigin(next, as: endpoint) else {
                throw .malformed(endpoint: ProviderExchange.label(url), reason: "NextPageLink leaves the endpoint's origin: \(ProviderExchange.label(next))")
            }
            url = next
        }
    }

    static func item(_ raw: [String: Any]) -> AzureRetailPrice? {
        guard let price = (raw["retailPrice"] as? NSNumber)?.doubleValue, let region = raw["armRegionName"] as? String,
              let currency = raw["currencyCode"] as? String else { return nil }
        func text(_ key: String) -> String { raw[key] as? String ?? "" }
        return AzureRetailPrice(currencyCode: currency, retailPrice: price, armRegionName: region, armSkuName: text("armSkuName"), skuName: text("skuName"),
                                productName: text("productName"), serviceName: text("serviceName"), unitOfMeasure: text("unitOfMeasure"),
                                type: text("type"), effectiveStartDate: text("effectiveStartDate"))
    }
}
