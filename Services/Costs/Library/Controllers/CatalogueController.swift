import CloudClients
import CostsCore
import CumulusAPI
import CumulusKit
import Foundation
import Hummingbird
import NIOCore
import PlacementCore

/// The price catalogue and latency matrix: reads, CSV imports, and refreshes from the
/// providers' live price APIs.
struct CatalogueController: Sendable {
    let store: CatalogueStore
    let cache: CatalogueCache
    let adapters: [Provider: any LivePriceAdapter]
    let settings: CostsSettings

    func addRoutes(to router: Router<CumulusRequestContext>) {
        router.get("/api/v1/prices") { request, context in try await prices(request, context) }
        router.get("/api/v1/prices/egress") { _, context in try await egress(context) }
        router.get("/api/v1/prices/catalogue") { _, context in try await catalogue(context) }
        router.post("/api/v1/prices/import") { request, context in try await importPrices(request, context) }
        router.post("/api/v1/prices/refresh") { request, context in try await refresh(request, context) }
        router.get("/api/v1/latencies") { request, context in try await latencies(request, context) }
        router.post("/api/v1/latencies/import") { request, context in try await importLatencies(request, context) }
    }

    // MARK: reads

    func prices(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        try await CostsAccess.requireGlobal("prices:read", context)
        let query = request.uri.queryParameters
        var filter = CatalogueStore.PriceFilter()
        filter.provider = try Self.provider(query["provider"], "provider")?.rawValue
        filter.region = try CostsValidation.name(query["region"], "region")
        filter.instanceType = try CostsValidation.name(query["instanceType"], "instanceType")
        filter.minVCPU = try QueryValue.integer(query["minVcpus"], "minVcpus", 0...100_000)
        filter.minMemoryGB = try QueryValue.number(query["minMemoryGb"], "minMemoryGb", 0...1_000_000)
        filter.maxHourlyUSD = try QueryValue.number(query["maxHourlyUsd"], "maxHourlyUsd", 0...1_000_000)
        filter.limit = try QueryValue.integer(query["limit"], "limit", 1...10_000) ?? 500
        filter.offset = try QueryValue.integer(query["offset"], "offset", 0...10_000_000) ?? 0
        let (total, prices) = try await store.prices(filter)
        return try Response.json(PriceList(version: try await store.versionView(), total: total, prices: prices))
    }

    func egress(_ context: CumulusRequestContext) async throws -> Response {
        try await CostsAccess.requireGlobal("prices:read", context)
        return try Response.json(EgressPriceList(egress: try await store.egress()))
    }

    func catalogue(_ context: CumulusRequestContext) async throws -> Response {
        try await CostsAccess.requireGlobal("prices:read", context)
        var filter = CatalogueStore.PriceFilter()
        filter.limit = 1_000_000
        let prices = try await store.prices(filter).prices
        let latencies = try await store.latencies(provider: nil, region: nil, limit: 1_000_000, offset: 0).latencies
        return try Response.json(CatalogueDocument(version: try await store.versionView(), prices: prices, egress: try await store.egress(),
                                                   latencies: latencies))
    }

    func latencies(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        try await CostsAccess.requireGlobal("prices:read", context)
        let query = request.uri.queryParameters
        let (total, rows) = try await store.latencies(
            provider: try Self.provider(query["provider"], "provider")?.rawValue, region: try CostsValidation.name(query["region"], "region"),
            limit: try QueryValue.integer(query["limit"], "limit", 1...10_000) ?? 1000,
            offset: try QueryValue.integer(query["offset"], "offset", 0...10_000_000) ?? 0)
        return try Response.json(LatencyList(total: total, latencies: rows))
    }

    // MARK: imports

    /// `POST /api/v1/prices/import?file=NAME&replace=provider|regions|none&dryRun=BOOL`, body: the CSV.
    /// `replace` says which stored offers the list speaks for: every offer of the providers in
    /// the file (default: a provider's full list), only the regions in the file, or none (add
    /// and update only).
    func importPrices(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let identity = try await CostsAccess.requirePlatform("prices:import", context)
        let query = request.uri.queryParameters
        let file = try CostsValidation.name(query["file"], "file") ?? "upload.csv"
        let dryRun = try QueryValue.boolean(query["dryRun"], "dryRun")
        let bytes = try await body(request)
        let table: ParsedTable<[InstanceOffer]>
        do { table = try PriceCSVParser.parse(bytes: bytes.readableBytesView, file: file) } catch {
            throw Problem.invalidField("body", error.description)
        }
        let scope: CatalogueDiff.Scope
        switch query["replace"].map(String.init) ?? "provider" {
        case "provider": scope = .providersInImport
        case "regions": scope = .regions(Set(table.value.map(\.region.id)))
        case "none": scope = .regions([])
        default: throw Problem.invalidField("replace", "must be provider, regions or none")
        }
        let report = try await store.importOffers(
            table.value, source: "csv:\(file)", scope: scope, dryRun: dryRun, acceptedRows: table.acceptedRows, ignoredRows: table.ignoredRows,
            issues: table.issues.map { ImportIssue(line: $0.line, reason: $0.reason.description) }, actor: identity.subject)
        context.logger.notice("price list imported", metadata: [
            "file": .string(file), "accepted": "\(report.acceptedRows)", "issues": "\(report.issues.count)", "added": "\(report.added)",
            "changed": "\(report.changed)", "removed": "\(report.removed)", "version": "\(report.version.number)", "dry_run": "\(dryRun)"])
        return try Response.json(report)
    }

    /// `POST /api/v1/latencies/import?file=NAME&dryRun=BOOL`, body: the measurements CSV.
    func importLatencies(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let identity = try await CostsAccess.requirePlatform("prices:import", context)
        let query = request.uri.queryParameters
        let file = try CostsValidation.name(query["file"], "file") ?? "upload.csv"
        let dryRun = try QueryValue.boolean(query["dryRun"], "dryRun")
        let bytes = try await body(request)
        let table: ParsedTable<LatencyMatrix>
        do { table = try LatencyCSVParser.parse(bytes: bytes.readableBytesView, file: file) } catch {
            throw Problem.invalidField("body", error.description)
        }
        let report = try await store.importLatencies(
            table.value, source: "csv:\(file)", dryRun: dryRun, acceptedRows: table.acceptedRows, ignoredRows: table.ignoredRows,
            issues: table.issues.map { ImportIssue(line: $0.line, reason: $0.reason.description) }, actor: identity.subject)
        context.logger.notice("latencies imported", metadata: [
            "file": .string(file), "accepted": "\(report.acceptedRows)", "issues": "\(report.issues.count)", "version": "\(report.version.number)"])
        return try Response.json(report)
    }

    /// `POST /api/v1/prices/refresh`: reads one provider's live price API and imports what it
    /// says (add and update only: a live source filtered to what we can price never removes).
    func refresh(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let identity = try await CostsAccess.requirePlatform("prices:import", context)
        let body = try await request.decode(as: PriceRefreshRequest.self, context: context)
        guard let provider = Provider(rawValue: body.provider.lowercased()), let adapter = adapters[provider] else {
            throw Problem.invalidField("provider", "must be one of \(adapters.keys.sorted().map(\.rawValue).joined(separator: ", "))")
        }
        let regions = body.regions ?? []
        guard regions.count <= 50 else { throw Problem.invalidField("regions", "at most 50 regions", limit: "50") }
        for (index, region) in regions.enumerated() { _ = try CostsValidation.name(Substring(region), "regions[\(index)]") }
        if provider == .aws, regions.isEmpty {
            throw Problem.invalidField("regions", "AWS publishes one price file per region; name at least one")
        }
        let known = try await cache.current().catalogue.offers
        let live: LivePrices
        do { live = try await adapter.fetch(regions: regions, known: known) } catch let error as PriceFetchError {
            context.logger.error("live price refresh failed", metadata: ["provider": .string(provider.rawValue), "error": .string(error.description)])
            throw Problem(.badGateway, detail: error.description, type: "urn:cumulus:problem:provider-unavailable")
        }
        let report = try await store.importOffers(
            live.offers, source: adapter.source, scope: .regions([]), dryRun: body.dryRun ?? false, effectiveDates: live.effectiveDates,
            acceptedRows: live.offers.count, ignoredRows: live.ignored, issues: live.issues, actor: identity.subject)
        context.logger.notice("live prices refreshed", metadata: [
            "provider": .string(provider.rawValue), "offers": "\(live.offers.count)", "ignored": "\(live.ignored)", "added": "\(report.added)",
            "changed": "\(report.changed)", "version": "\(report.version.number)"])
        return try Response.json(report)
    }

    // MARK: helpers

    func body(_ request: Request) async throws -> ByteBuffer {
        do {
            return try await request.body.collect(upTo: settings.maxImportBytes)
        } catch is NIOTooManyBytesError {
            throw Problem.payloadTooLarge("body", limit: settings.maxImportBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw Problem.payloadTooLarge("body", limit: settings.maxImportBytes)
        }
    }

    static func provider(_ text: Substring?, _ field: String) throws -> Provider? {
        guard let text else { return nil }
        guard let provider = Provider(rawValue: text.lowercased()) else {
            throw Problem.invalidField(field, "must be one of \(Provider.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return provider
    }
}
