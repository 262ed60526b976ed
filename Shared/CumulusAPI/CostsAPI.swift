import Foundation

/// Request and response bodies of the costs API (price catalogue, latencies, costs, budgets,
/// estimates), and the wire format of the usage and budget streams, shared by the costs service,
/// the producers of usage (orchestrator, placement, coordinator), the CLI and the tests.
///
/// Amounts travel as whole nano-dollars (`…NanoDollars`, an integer, exact) beside a decimal
/// string of dollars (`…USD`, for people); clients that add amounts add the integers.

// MARK: - the usage stream

/// `cumulus.usage`: metered facts, one Redis stream entry each, with string fields. Producers
/// write these; the costs service (consumer group `costs`) prices them exactly once per `eventId`.
///
/// Every event has `kind`, `eventId` (the producer's idempotency key: a re-publication of the
/// same fact must reuse it), `source` (the producing service) and `federation` (UUID). Then:
///
/// | kind | fields |
/// |---|---|
/// | `node-hours` | `organisation`, `node`, `provider`, `region`, `instanceType` (may be empty), `vcpus`, `memoryBytes`, `start`, `end` (and `hours`, informational) |
/// | `aggregator-hours` | `deployment`, `provider`, `region`, `instanceType` (may be empty), `vcpus`, `memoryBytes` (both optional when the type is given), `start`, `end` |
/// | `bytes-moved` | `organisation` (optional: absent when the federation's aggregator sent), `provider`, `region` (where the bytes left), `destinationProvider` + `destinationRegion`, or `destination` = `internet`, `bytes`, `at` |
///
/// Times are ISO 8601 UTC with milliseconds (`2025-09-10T05:31:37.328Z`; seconds without a
/// fraction are accepted). Providers are `aws`, `gcp`, `azure`, `openstack`. An event without
/// a usable instance type is priced as the cheapest offer of its region with at least its
/// `vcpus` and `memoryBytes` (the substitution is recorded on the line items).
public enum UsageStream {
    public static let name = "cumulus.usage"
    /// The costs service's consumer group.
    public static let costsGroup = "costs"

    public enum Kind: String, Codable, Sendable, CaseIterable {
        case nodeHours = "node-hours"
        case aggregatorHours = "aggregator-hours"
        case bytesMoved = "bytes-moved"
    }

    public enum Field {
        public static let kind = "kind"
        public static let eventId = "eventId"
        public static let source = "source"
        public static let federation = "federation"
        public static let organisation = "organisation"
        public static let node = "node"
        public static let deployment = "deployment"
        public static let provider = "provider"
        public static let region = "region"
        public static let instanceType = "instanceType"
        public static let vcpus = "vcpus"
        public static let memoryBytes = "memoryBytes"
        public static let start = "start"
        public static let end = "end"
        public static let hours = "hours"
        public static let destination = "destination"
        public static let destinationProvider = "destinationProvider"
        public static let destinationRegion = "destinationRegion"
        public static let bytes = "bytes"
        public static let at = "at"
    }

    /// `destination` value for bytes that left the clouds we model.
    public static let internet = "internet"

    /// ISO 8601 UTC with milliseconds, the form every producer writes.
    public static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}

/// `cumulus.budgets`: one entry per budget threshold reached for the first time in a period.
/// Fields: `firingId` (unique; consumers dedup on it), `budgetId`, `federation`, `period`,
/// `windowStart`, `windowEnd` (YYYY-MM-DD, end exclusive), `thresholdPercent`,
/// `spentNanoDollars`, `limitNanoDollars`, `spentUSD`, `limitUSD`, `triggeringEventId` (empty
/// when a budget change crossed it), `firedAt`.
public enum BudgetStream {
    public static let name = "cumulus.budgets"
}

// MARK: - catalogue

public struct RegionRef: Codable, Sendable, Hashable {
    public var provider: String
    public var region: String
    public init(provider: String, region: String) { self.provider = provider; self.region = region }
}

/// One instance type in one region at its current on-demand price.
public struct PriceView: Codable, Sendable, Equatable {
    public var provider: String
    public var region: String
    public var instanceType: String
    public var vcpus: Int
    public var memoryGB: Double
    public var gpuModel: String?
    public var gpuCount: Int?
    /// USD per hour as a decimal string ("0.0960").
    public var hourlyUSD: String
    public var hourlyNanoDollars: Int64
    /// YYYY-MM-DD: when this price took effect in the catalogue (or the source says so).
    public var effectiveDate: String
    /// Where the price came from: `default`, `csv:<file>`, `azure-retail-prices`, `aws-price-list`, `gcp-billing-catalog`.
    public var source: String
    public var continent: String?
    public var countryCode: String?

    public init(provider: String, region: String, instanceType: String, vcpus: Int, memoryGB: Double, gpuModel: String?, gpuCount: Int?,
                hourlyUSD: String, hourlyNanoDollars: Int64, effectiveDate: String, source: String, continent: String?, countryCode: String?) {
        self.provider = provider; self.region = region; self.instanceType = instanceType; self.vcpus = vcpus; self.memoryGB = memoryGB
        self.gpuModel = gpuModel; self.gpuCount = gpuCount; self.hourlyUSD = hourlyUSD; self.hourlyNanoDollars = hourlyNanoDollars
        self.effectiveDate = effectiveDate; self.source = source; self.continent = continent; self.countryCode = countryCode
    }
}

public struct CatalogueVersionView: Codable, Sendable, Equatable {
    public var number: Int
    /// FNV-1a 64 of the offers' canonical text, hex.
    public var fingerprint: String
    public var offerCount: Int
    public init(number: Int, fingerprint: String, offerCount: Int) { self.number = number; self.fingerprint = fingerprint; self.offerCount = offerCount }
}

public struct PriceList: Codable, Sendable {
    public var version: CatalogueVersionView
    /// Matching prices in total (the page holds at most `limit` of them).
    public var total: Int
    public var prices: [PriceView]
    public init(version: CatalogueVersionView, total: Int, prices: [PriceView]) { self.version = version; self.total = total; self.prices = prices }
}

public struct EgressPriceView: Codable, Sendable, Equatable {
    public var provider: String
    /// nil: the provider's tariff; set: an override for that region.
    public var region: String?
    public var sameRegionPerGBUSD: Double
    public var interRegionPerGBUSD: Double
    public var internetPerGBUSD: Double
    public var source: String
    public init(provider: String, region: String?, sameRegionPerGBUSD: Double, interRegionPerGBUSD: Double, internetPerGBUSD: Double, source: String) {
        self.provider = provider; self.region = region; self.sameRegionPerGBUSD = sameRegionPerGBUSD
        self.interRegionPerGBUSD = interRegionPerGBUSD; self.internetPerGBUSD = internetPerGBUSD; self.source = source
    }
}

public struct EgressPriceList: Codable, Sendable {
    public var egress: [EgressPriceView]
    public init(egress: [EgressPriceView]) { self.egress = egress }
}

public struct LatencyView: Codable, Sendable, Equatable {
    public var a: RegionRef
    public var b: RegionRef
    /// Mean round-trip time of every measurement of the pair, either direction.
    public var rttMilliseconds: Double
    public var measurements: Int
    public var source: String
    public init(a: RegionRef, b: RegionRef, rttMilliseconds: Double, measurements: Int, source: String) {
        self.a = a; self.b = b; self.rttMilliseconds = rttMilliseconds; self.measurements = measurements; self.source = source
    }
}

public struct LatencyList: Codable, Sendable {
    public var total: Int
    public var latencies: [LatencyView]
    public init(total: Int, latencies: [LatencyView]) { self.total = total; self.latencies = latencies }
}

/// A row the import could not use, by its 1-based physical line (the header is line 1).
public struct ImportIssue: Codable, Sendable, Equatable {
    public var line: Int
    public var reason: String
    public init(line: Int, reason: String) { self.line = line; self.reason = reason }
}

/// What an import or a live refresh did.
public struct ImportReport: Codable, Sendable {
    /// `prices` or `latencies`.
    public var kind: String
    public var source: String
    public var dryRun: Bool
    /// Data rows (or live items) used.
    public var acceptedRows: Int
    /// Well-formed rows deliberately left out (failed latency measurements, Windows or spot prices, unknown machine sizes).
    public var ignoredRows: Int
    public var issues: [ImportIssue]
    public var added: Int
    public var changed: Int
    public var removed: Int
    /// Whether the stored catalogue changed (false on an identical re-import).
    public var changedAnything: Bool
    /// The catalogue version after the import (prices), or the latency version.
    public var version: CatalogueVersionView
    public init(kind: String, source: String, dryRun: Bool, acceptedRows: Int, ignoredRows: Int, issues: [ImportIssue], added: Int, changed: Int,
                removed: Int, changedAnything: Bool, version: CatalogueVersionView) {
        self.kind = kind; self.source = source; self.dryRun = dryRun; self.acceptedRows = acceptedRows; self.ignoredRows = ignoredRows
        self.issues = issues; self.added = added; self.changed = changed; self.removed = removed; self.changedAnything = changedAnything; self.version = version
    }
}

/// `POST /api/v1/prices/refresh`: fetch live prices from one provider's public price API.
public struct PriceRefreshRequest: Codable, Sendable {
    /// `azure`, `aws` or `gcp`.
    public var provider: String
    /// Regions to refresh (AWS: required, one price-list file per region; Azure and GCP: a filter, optional).
    public var regions: [String]?
    public var dryRun: Bool?
    public init(provider: String, regions: [String]? = nil, dryRun: Bool? = nil) { self.provider = provider; self.regions = regions; self.dryRun = dryRun }
}

/// The whole catalogue in one document, for the placement service and the dashboard.
public struct CatalogueDocument: Codable, Sendable {
    public var version: CatalogueVersionView
    public var prices: [PriceView]
    public var egress: [EgressPriceView]
    public var latencies: [LatencyView]
    public init(version: CatalogueVersionView, prices: [PriceView], egress: [EgressPriceView], latencies: [LatencyView]) {
        self.version = version; self.prices = prices; self.egress = egress; self.latencies = latencies
    }
}

// MARK: - costs

public struct CostAmount: Codable, Sendable, Equatable {
    public var key: String
    public var nanoDollars: Int64
    public var usd: String
    public init(key: String, nanoDollars: Int64, usd: String) { self.key = key; self.nanoDollars = nanoDollars; self.usd = usd }
}

public struct CostRow: Codable, Sendable, Equatable {
    public var day: String
    public var provider: String
    public var region: String
    /// `aggregator`, `participants` or `dataTransfer`.
    public var component: String
    public var nanoDollars: Int64
    public var usd: String
    public init(day: String, provider: String, region: String, component: String, nanoDollars: Int64, usd: String) {
        self.day = day; self.provider = provider; self.region = region; self.component = component; self.nanoDollars = nanoDollars; self.usd = usd
    }
}

/// `GET /api/v1/costs/{federationId}`: metered cost by day, provider, region and component.
public struct CostReport: Codable, Sendable {
    public var federationId: UUID
    /// YYYY-MM-DD, inclusive.
    public var from: String
    /// YYYY-MM-DD, inclusive.
    public var to: String
    public var total: CostAmount
    public var byDay: [CostAmount]
    public var byProvider: [CostAmount]
    public var byRegion: [CostAmount]
    public var byComponent: [CostAmount]
    public var rows: [CostRow]
    /// Usage events of this federation (all time) that could not be priced, by reason code.
    public var unpriced: [String: Int]
    public init(federationId: UUID, from: String, to: String, total: CostAmount, byDay: [CostAmount], byProvider: [CostAmount], byRegion: [CostAmount],
                byComponent: [CostAmount], rows: [CostRow], unpriced: [String: Int]) {
        self.federationId = federationId; self.from = from; self.to = to; self.total = total; self.byDay = byDay; self.byProvider = byProvider
        self.byRegion = byRegion; self.byComponent = byComponent; self.rows = rows; self.unpriced = unpriced
    }
}

/// One priced slice of a usage event.
public struct LineItemView: Codable, Sendable, Equatable {
    public var eventId: String
    public var index: Int
    public var kind: String
    public var organisationId: String?
    public var component: String
    public var provider: String
    public var region: String
    public var day: String
    /// Milliseconds (per-hour rates) or bytes (per-GB rates).
    public var quantity: Int64
    public var unit: String
    public var rateNanoDollars: Int64
    public var nanoDollars: Int64
    public var usd: String
    public var instanceType: String?
    public var substitution: String?
    public var catalogueVersion: Int
    public init(eventId: String, index: Int, kind: String, organisationId: String?, component: String, provider: String, region: String, day: String,
                quantity: Int64, unit: String, rateNanoDollars: Int64, nanoDollars: Int64, usd: String, instanceType: String?, substitution: String?,
                catalogueVersion: Int) {
        self.eventId = eventId; self.index = index; self.kind = kind; self.organisationId = organisationId; self.component = component
        self.provider = provider; self.region = region; self.day = day; self.quantity = quantity; self.unit = unit; self.rateNanoDollars = rateNanoDollars
        self.nanoDollars = nanoDollars; self.usd = usd; self.instanceType = instanceType; self.substitution = substitution; self.catalogueVersion = catalogueVersion
    }
}

public struct LineItemList: Codable, Sendable {
    public var lineItems: [LineItemView]
    public var unpriced: [UnpricedEventView]
    public init(lineItems: [LineItemView], unpriced: [UnpricedEventView]) { self.lineItems = lineItems; self.unpriced = unpriced }
}

public struct UnpricedEventView: Codable, Sendable, Equatable {
    public var eventId: String
    public var kind: String
    public var code: String
    public var reason: String
    public init(eventId: String, kind: String, code: String, reason: String) { self.eventId = eventId; self.kind = kind; self.code = code; self.reason = reason }
}

// MARK: - billing (AWS Cost Explorer)

/// `POST /api/v1/costs/{federationId}/billing/aws`: read the provider's own bill for the
/// federation's tag. Governance does not (yet) hand decrypted cloud credentials to other
/// services, so the caller passes the access key for this one call; it is used once and never stored.
public struct AWSBillingSyncRequest: Codable, Sendable {
    /// An AWS credential stored in governance (`POST /api/v1/credentials`) that the caller may read.
    public var credentialId: UUID
    /// YYYY-MM-DD, inclusive.
    public var start: String
    /// YYYY-MM-DD, exclusive (as Cost Explorer counts).
    public var end: String
    public init(credentialId: UUID, start: String, end: String) {
        self.credentialId = credentialId; self.start = start; self.end = end
    }
}

public struct BilledDay: Codable, Sendable, Equatable {
    public var day: String
    public var provider: String
    public var nanoDollars: Int64
    public var usd: String
    public var estimated: Bool
    public var source: String
    public init(day: String, provider: String, nanoDollars: Int64, usd: String, estimated: Bool, source: String) {
        self.day = day; self.provider = provider; self.nanoDollars = nanoDollars; self.usd = usd; self.estimated = estimated; self.source = source
    }
}

public struct BillingReport: Codable, Sendable {
    public var federationId: UUID
    /// The cost-allocation tag whose value is the federation id.
    public var tagKey: String
    public var days: [BilledDay]
    public var total: CostAmount
    public init(federationId: UUID, tagKey: String, days: [BilledDay], total: CostAmount) {
        self.federationId = federationId; self.tagKey = tagKey; self.days = days; self.total = total
    }
}

// MARK: - budgets

public struct NewBudget: Codable, Sendable {
    public var federationId: UUID
    /// USD as a decimal string ("250.00"), more than 0, at most 9 decimals.
    public var limitUSD: String
    /// Percent of the limit, each 1...1000; default [50, 80, 100].
    public var thresholdPercents: [Int]?
    /// `daily`, `weekly` or `monthly` (default).
    public var period: String?
    public init(federationId: UUID, limitUSD: String, thresholdPercents: [Int]? = nil, period: String? = nil) {
        self.federationId = federationId; self.limitUSD = limitUSD; self.thresholdPercents = thresholdPercents; self.period = period
    }
}

public struct BudgetChange: Codable, Sendable {
    public var limitUSD: String?
    public var thresholdPercents: [Int]?
    public init(limitUSD: String? = nil, thresholdPercents: [Int]? = nil) { self.limitUSD = limitUSD; self.thresholdPercents = thresholdPercents }
}

public struct BudgetFiringView: Codable, Sendable, Equatable {
    public var id: UUID
    public var windowStart: String
    public var windowEnd: String
    public var thresholdPercent: Int
    public var spentNanoDollars: Int64
    public var triggeringEventId: String?
    public var firedAt: Date
    public init(id: UUID, windowStart: String, windowEnd: String, thresholdPercent: Int, spentNanoDollars: Int64, triggeringEventId: String?, firedAt: Date) {
        self.id = id; self.windowStart = windowStart; self.windowEnd = windowEnd; self.thresholdPercent = thresholdPercent
        self.spentNanoDollars = spentNanoDollars; self.triggeringEventId = triggeringEventId; self.firedAt = firedAt
    }
}

public struct BudgetView: Codable, Sendable {
    public var id: UUID
    public var federationId: UUID
    public var limitNanoDollars: Int64
    public var limitUSD: String
    public var thresholdPercents: [Int]
    public var period: String
    /// The current period (UTC): start inclusive, end exclusive.
    public var windowStart: String
    public var windowEnd: String
    public var spentNanoDollars: Int64
    public var spentUSD: String
    /// spent / limit in the current period (approximate, for display).
    public var spentRatio: Double
    public var firings: [BudgetFiringView]
    public var createdAt: Date
    public init(id: UUID, federationId: UUID, limitNanoDollars: Int64, limitUSD: String, thresholdPercents: [Int], period: String, windowStart: String,
                windowEnd: String, spentNanoDollars: Int64, spentUSD: String, spentRatio: Double, firings: [BudgetFiringView], createdAt: Date) {
        self.id = id; self.federationId = federationId; self.limitNanoDollars = limitNanoDollars; self.limitUSD = limitUSD
        self.thresholdPercents = thresholdPercents; self.period = period; self.windowStart = windowStart; self.windowEnd = windowEnd
        self.spentNanoDollars = spentNanoDollars; self.spentUSD = spentUSD; self.spentRatio = spentRatio; self.firings = firings; self.createdAt = createdAt
    }
}

public struct BudgetList: Codable, Sendable {
    public var budgets: [BudgetView]
    public init(budgets: [BudgetView]) { self.budgets = budgets }
}

// MARK: - estimates

public struct EstimateRequest: Codable, Sendable {
    public var vcpus: Int
    public var memoryGB: Double
    public var gpuCount: Int?
    public var gpuModel: String?
    /// Aggregator hours.
    public var hours: Double
    /// One entry per participant (repeat a region for several participants there).
    public var participants: [RegionRef]
    public var rounds: Int
    public var modelBytes: Int64
    /// Per participant and round; default the model size.
    public var updateBytes: Int64?
    public var allowedProviders: [String]?
    public var allowedRegions: [RegionRef]?
    /// `anywhere` (default), `eu`, or continent names (`europe`, `northAmerica`, …).
    public var residency: [String]?
    public init(vcpus: Int, memoryGB: Double, gpuCount: Int? = nil, gpuModel: String? = nil, hours: Double, participants: [RegionRef], rounds: Int,
                modelBytes: Int64, updateBytes: Int64? = nil, allowedProviders: [String]? = nil, allowedRegions: [RegionRef]? = nil, residency: [String]? = nil) {
        self.vcpus = vcpus; self.memoryGB = memoryGB; self.gpuCount = gpuCount; self.gpuModel = gpuModel; self.hours = hours
        self.participants = participants; self.rounds = rounds; self.modelBytes = modelBytes; self.updateBytes = updateBytes
        self.allowedProviders = allowedProviders; self.allowedRegions = allowedRegions; self.residency = residency
    }
}

public struct EstimateOptionView: Codable, Sendable, Equatable {
    public var provider: String
    public var region: String
    public var instanceType: String
    public var vcpus: Int
    public var memoryGB: Double
    public var hourlyUSD: String
    public var instanceNanoDollars: Int64
    public var aggregatorEgressNanoDollars: Int64
    public var participantEgressNanoDollars: Int64
    public var totalNanoDollars: Int64
    public var totalUSD: String
    public var roundTimeSeconds: Double?
    public var allowed: Bool
    /// Why the option is not allowed (residency, provider, region), when it is not.
    public var excludedBy: String?
    public init(provider: String, region: String, instanceType: String, vcpus: Int, memoryGB: Double, hourlyUSD: String, instanceNanoDollars: Int64,
                aggregatorEgressNanoDollars: Int64, participantEgressNanoDollars: Int64, totalNanoDollars: Int64, totalUSD: String,
                roundTimeSeconds: Double?, allowed: Bool, excludedBy: String?) {
        self.provider = provider; self.region = region; self.instanceType = instanceType; self.vcpus = vcpus; self.memoryGB = memoryGB
        self.hourlyUSD = hourlyUSD; self.instanceNanoDollars = instanceNanoDollars; self.aggregatorEgressNanoDollars = aggregatorEgressNanoDollars
        self.participantEgressNanoDollars = participantEgressNanoDollars; self.totalNanoDollars = totalNanoDollars; self.totalUSD = totalUSD
        self.roundTimeSeconds = roundTimeSeconds; self.allowed = allowed; self.excludedBy = excludedBy
    }
}

public struct EstimateView: Codable, Sendable {
    public var catalogueVersion: Int
    /// Every region with an offer meeting the size, cheapest total first.
    public var options: [EstimateOptionView]
    public var recommended: EstimateOptionView?
    public var reason: String
    public var regionsWithoutOffer: [RegionRef]
    public init(catalogueVersion: Int, options: [EstimateOptionView], recommended: EstimateOptionView?, reason: String, regionsWithoutOffer: [RegionRef]) {
        self.catalogueVersion = catalogueVersion; self.options = options; self.recommended = recommended; self.reason = reason
        self.regionsWithoutOffer = regionsWithoutOffer
    }
}
