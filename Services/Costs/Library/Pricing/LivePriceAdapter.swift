import CloudClients
import CostsCore
import CumulusAPI
import Foundation
import PlacementCore

/// A provider's public price API read as catalogue offers. The HTTP clients live in
/// CloudClients; an adapter maps their documented shapes onto `InstanceOffer`s, using the
/// sizes the catalogue already knows where a price API does not state them (Azure, GCP).
protocol LivePriceAdapter: Sendable {
    var provider: Provider { get }
    /// The `source` recorded on every price it supplies.
    var source: String { get }
    func fetch(regions: [String], known: [InstanceOffer]) async throws -> LivePrices
}

struct LivePrices: Sendable {
    var offers: [InstanceOffer]
    /// The source's own effective dates, per offer.
    var effectiveDates: [OfferKey: String]
    /// Items read but deliberately not used (Windows, spot, other units, unknown sizes).
    var ignored: Int
    /// Items that could not be used for a reason worth showing (by item, not line).
    var issues: [ImportIssue]
}

/// Azure Retail Prices: Linux pay-as-you-go VM hours. The API states no vCPU or memory, so only
/// SKUs whose size the catalogue already holds (in any Azure region) are priced; the rest are
/// counted as ignored. The cheapest matching item of a (region, SKU) wins when several do.
struct AzureRetailPricesAdapter: LivePriceAdapter {
    let client: AzureRetailPricesClient
    var provider: Provider { .azure }
    var source: String { "azure-retail-prices" }

    func fetch(regions: [String], known: [InstanceOffer]) async throws -> LivePrices {
        let items = try await client.prices(filter: AzureRetailPricesClient.virtualMachineFilter(regions: regions))
        let sizes = Dictionary(known.filter { $0.provider == .azure }.map { ($0.instanceType.lowercased(), $0) }, uniquingKeysWith: { a, _ in a })
        var best: [OfferKey: (InstanceOffer, String)] = [:]
        var ignored = 0
        for item in items {
            guard item.isLinuxOnDemandHour, item.currencyCode == "USD", item.retailPrice > 0,
                  let size = sizes[item.armSkuName.lowercased()] else { ignored += 1; continue }
            let region = RegionID(.azure, item.armRegionName)
            let offer = InstanceOffer(region: Region(known: region), instanceType: size.instanceType, vCPU: size.vCPU, memoryGB: size.memoryGB,
                                      gpu: size.gpu, hourlyUSD: item.retailPrice)
            let key = OfferKey(offer)
            if let existing = best[key], existing.0.hourlyUSD <= offer.hourlyUSD { ignored += 1; continue }
            if best[key] != nil { ignored += 1 }
            best[key] = (offer, item.effectiveStartDate)
        }
        let keys = best.keys.sorted()
        return LivePrices(offers: keys.map { best[$0]!.0 }, effectiveDates: Dictionary(uniqueKeysWithValues: keys.map { ($0, best[$0]!.1) }),
                          ignored: ignored, issues: [])
    }
}

/// AWS Price List bulk files: one regional EC2 offer file per region; plain Linux on-demand
/// hours (shared tenancy, no pre-installed software). The file states vCPU and memory.
struct AWSPriceListAdapter: LivePriceAdapter {
    let client: AWSPriceListClient
    var provider: Provider { .aws }
    var source: String { "aws-price-list" }

    func fetch(regions: [String], known: [InstanceOffer]) async throws -> LivePrices {
        var offers: [OfferKey: InstanceOffer] = [:]
        var dates: [OfferKey: String] = [:]
        var ignored = 0
        var issues: [ImportIssue] = []
        for region in regions {
            let (prices, withoutPrice) = try await client.onDemandPrices(region: region)
            ignored += withoutPrice
            for price in prices {
                guard price.isPlainLinuxOnDemand else { ignored += 1; continue }
                guard let usd = Double(price.usd), usd > 0, price.vcpu > 0 else {
                    ignored += 1
                    if Double(price.usd) == nil { issues.append(ImportIssue(line: 0, reason: "sku \(price.sku): price \"\(price.usd)\" is not a number")) }
                    continue
                }
                let offer = InstanceOffer(region: Region(known: RegionID(.aws, price.regionCode)), instanceType: price.instanceType, vCPU: price.vcpu,
                                          memoryGB: price.memoryGiB, hourlyUSD: usd)
                let key = OfferKey(offer)
                if offers[key] != nil { ignored += 1; continue }
                offers[key] = offer
                dates[key] = price.effectiveDate
            }
        }
        let keys = offers.keys.sorted()
        return LivePrices(offers: keys.map { offers[$0]! }, effectiveDates: dates, ignored: ignored, issues: issues)
    }
}

/// GCP Cloud Billing Catalog: Compute Engine prices per vCPU-hour and per GiB-hour of memory
/// for each machine family and region ("N2 Instance Core running in Frankfurt", "… Ram …").
/// A machine type's hourly price is vCPU × core rate + memory × RAM rate, for every type the
/// catalogue already knows (its family is the name's prefix: n2-standard-4 → N2). Shared-core
/// and GPU types, whose prices are not per core, are left as they are.
struct GCPBillingCatalogAdapter: LivePriceAdapter {
    let client: GCPBillingCatalogClient
    var provider: Provider { .gcp }
    var source: String { "gcp-billing-catalog" }

    func fetch(regions: [String], known: [InstanceOffer]) async throws -> LivePrices {
        let skus = try await client.skus()
        struct Rates { var core: Double?; var ram: Double?; var effective = "" }
        var rates: [String: Rates] = [:]   // "FAMILY|region"
        var ignored = 0
        for sku in skus {
            guard sku.usageType == "OnDemand", sku.resourceFamily == "Compute",
                  let match = sku.description.range(of: #"^([A-Z0-9]+) (?:AMD |Intel )?Instance (Core|Ram) running in "#, options: .regularExpression)
            else { ignored += 1; continue }
            let words = sku.description[match].split(separator: " ")
            let family = String(words[0])
            let isCore = sku.description[match].contains("Instance Core")
            for region in sku.serviceRegions where regions.isEmpty || regions.contains(region) {
                var entry = rates["\(family)|\(region)"] ?? Rates()
                if isCore, sku.usageUnit == "h" { entry.core = sku.unitPriceUSD } else if !isCore, sku.usageUnit == "GiBy.h" { entry.ram = sku.unitPriceUSD } else { continue }
                entry.effective = sku.effectiveTime
                rates["\(family)|\(region)"] = entry
            }
        }
        var offers: [InstanceOffer] = []
        var dates: [OfferKey: String] = [:]
        // Every (known type, region with rates for its family): the types GCP offers are the same
        // in each region that has the family.
        let types = Dictionary(known.filter { $0.provider == .gcp }.map { ($0.instanceType, $0) }, uniquingKeysWith: { a, _ in a })
        for (key, rate) in rates.sorted(by: { $0.key < $1.key }) {
            guard let core = rate.core, let ram = rate.ram else { continue }
            let parts = key.split(separator: "|")
            let family = parts[0].lowercased(), region = String(parts[1])
            for (name, size) in types.sorted(by: { $0.key < $1.key }) where name.split(separator: "-").first.map(String.init) == family && size.gpu == nil && !Self.isSharedCore(name) {
                let usd = Double(size.vCPU) * core + size.memoryGB * ram
                let offer = InstanceOffer(region: Region(known: RegionID(.gcp, region)), instanceType: name, vCPU: size.vCPU, memoryGB: size.memoryGB,
                                          hourlyUSD: (usd * 1e9).rounded() / 1e9)
                offers.append(offer)
                dates[OfferKey(offer)] = rate.effective
            }
        }
        return LivePrices(offers: offers, effectiveDates: dates, ignored: ignored, issues: [])
    }

    /// e2-micro, e2-small, e2-medium, f1-micro, g1-small: fractional vCPUs, priced otherwise.
    static func isSharedCore(_ name: String) -> Bool {
        name.hasSuffix("-micro") || name.hasSuffix("-small") || name.hasSuffix("-medium")
    }
}
