import AsyncHTTPClient
import Foundation
import NIOCore

/// An on-demand EC2 price from the AWS Price List bulk API's regional offer file
/// (`/offers/v1.0/aws/AmazonEC2/current/{region}/index.json`): a product joined with its
/// `terms.OnDemand` price dimension.
public struct AWSOnDemandPrice: Sendable, Equatable {
    public var sku: String
    public var regionCode: String
    public var instanceType: String
    public var vcpu: Int
    public var memoryGiB: Double
    /// USD per hour, as the file writes it ("0.0960000000").
    public var usd: String
    public var effectiveDate: String
    public var operatingSystem: String
    public var tenancy: String
    public var preInstalledSoftware: String
    public var capacityStatus: String

    /// Linux, shared tenancy, no pre-installed software, a used-capacity price: the plain
    /// on-demand hour the catalogue holds (the file also lists Windows, RHEL, dedicated hosts, …).
    public var isPlainLinuxOnDemand: Bool {
        operatingSystem == "Linux" && tenancy == "Shared" && preInstalledSoftware == "NA" && (capacityStatus.isEmpty || capacityStatus == "Used")
    }
}

/// Reads regional EC2 offer files of the AWS Price List bulk API (public, no signature).
public struct AWSPriceListClient: Sendable {
    public static let defaultEndpoint = "https://pricing.us-east-1.amazonaws.com"

    let exchange: PricingHTTP
    public let endpoint: String

    /// - Parameter maxAnswerBytes: real regional EC2 files are hundreds of MB; the default allows 2 GiB.
    public init(http: HTTPClient, endpoint: String = defaultEndpoint, maxAnswerBytes: Int = 2 << 30, timeout: TimeAmount = .seconds(600)) {
        exchange = PricingHTTP(http: http, timeout: timeout, maxAnswerBytes: maxAnswerBytes)
        var endpoint = endpoint
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        self.endpoint = endpoint
    }

    public func url(region: String) -> String {
        "\(endpoint)/offers/v1.0/aws/AmazonEC2/current/\(SigV4Encoding.encode(region))/index.json"
    }

    /// Every compute-instance product of the region with an hourly USD on-demand price.
    /// Returns them all (filter with `isPlainLinuxOnDemand`) and how many products had none.
    public func onDemandPrices(region: String) async throws(PriceFetchError) -> (prices: [AWSOnDemandPrice], productsWithoutPrice: Int) {
        let url = url(region: region)
        let document = try await exchange.getJSONObject(url)
        let endpoint = ProviderExchange.label(url)
        guard document["offerCode"] as? String == "AmazonEC2", let products = document["products"] as? [String: Any] else {
            throw .malformed(endpoint: endpoint, reason: "not an AmazonEC2 offer file (offerCode or products missing)")
        }
        let onDemand = ((document["terms"] as? [String: Any])?["OnDemand"] as? [String: Any]) ?? [:]
        var prices: [AWSOnDemandPrice] = []
        var withoutPrice = 0
        for (sku, rawProduct) in products {
            guard let product = rawProduct as? [String: Any], product["productFamily"] as? String == "Compute Instance",
                  let attributes = product["attributes"] as? [String: Any],
                  let instanceType = attributes["instanceType"] as? String,
                  let vcpu = (attributes["vcpu"] as? String).flatMap({ Int($0) }),
                  let memory = (attributes["memory"] as? String).flatMap(Self.gibibytes)
            else { continue }
            guard let (usd, effective) = Self.hourlyUSD(onDemand[sku]) else {
                withoutPrice += 1
                continue
            }
            func text(_ key: String) -> String { attributes[key] as? String ?? "" }
            prices.append(AWSOnDemandPrice(
                sku: sku, regionCode: text("regionCode").isEmpty ? region : text("regionCode"), instanceType: instanceType, vcpu: vcpu,
                memoryGiB: memory, usd: usd, effectiveDate: effective, operatingSystem: text("operatingSystem"), tenancy: text("tenancy"),
                preInstalledSoftware: text("preInstalledSw"), capacityStatus: text("capacitystatus")))
        }
        prices.sort { ($0.instanceType, $0.sku) < ($1.instanceType, $1.sku) }
        return (prices, withoutPrice)
    }

    /// "8 GiB", "1,952 GiB", "0.5 GiB" → GiB.
    static func gibibytes(_ text: String) -> Double? {
        let number = text.split(separator: " ").first.map { $0.replacingOccurrences(of: ",", with: "") }
        return number.flatMap(Double.init)
    }

    /// The first term's per-hour USD dimension: `{"SKU.TERM": {"effectiveDate", "priceDimensions": {"…": {"unit": "Hrs", "pricePerUnit": {"USD": "…"}}}}}`.
    static func hourlyUSD(_ terms: Any?) -> (String, String)? {
        guard let terms = terms as? [String: Any] else { return nil }
        for key in terms.keys.sorted() {
            guard let term = terms[key] as? [String: Any], let dimensions = term["priceDimensions"] as? [String: Any] else { continue }
            for dimensionKey in dimensions.keys.sorted() {
                guard let dimension = dimensions[dimensionKey] as? [String: Any], dimension["unit"] as? String == "Hrs",
                      let usd = (dimension["pricePerUnit"] as? [String: Any])?["USD"] as? String else { continue }
                return (usd, term["effectiveDate"] as? String ?? "")
            }
        }
        return nil
    }
}
