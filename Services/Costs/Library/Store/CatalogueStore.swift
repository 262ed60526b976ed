import CostsCore
import CumulusAPI
import Foundation
import Logging
import PlacementCore
import PostgresNIO

/// The price catalogue and latency matrix in PostgreSQL: seeding from PlacementCore's default
/// catalogue, versioned imports (CostsCore's `CatalogueImport` decides what changes), and reads.
///
/// Every write runs in one transaction under an advisory lock, so two imports (or two replicas
/// seeding at first start) queue up instead of interleaving.
struct CatalogueStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    static let lockKey = "cumulus.costs.catalogue"

    struct Versions: Sendable, Equatable {
        var prices: Int
        var latencies: Int
    }

    // MARK: seeding

    /// Fills an empty catalogue from `DefaultCatalogue` (version 1 of prices and latencies), so a
    /// fresh install prices and estimates without any file. Returns whether it seeded.
    @discardableResult
    func seedIfEmpty(_ catalogue: CloudCatalogue = DefaultCatalogue.catalogue) async throws -> Bool {
        try await postgres.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(Self.lockKey)))", logger: logger)
            let versions = try await Self.versions(connection, logger)
            guard versions.prices == 0 else { return false }
            try await Self.upsertRegions(catalogue.offers.map(\.region), connection, logger)
            try await Self.insertOffers(catalogue.offers, version: 1, source: "default", effectiveDates: [:], connection, logger)
            let fingerprint = CatalogueVersion.initial(catalogue.offers)
            try await Self.recordVersion(kind: "prices", number: 1, fingerprint: fingerprint.fingerprint, count: fingerprint.offerCount,
                                         source: "default", added: catalogue.offers.count, changed: 0, removed: 0, actor: nil, connection, logger)
            for (provider, tariff) in catalogue.egress.providers {
                try await Self.upsertEgress(provider: provider, region: "", tariff, source: "default", connection, logger)
            }
            for (region, tariff) in catalogue.egress.regionOverrides {
                try await Self.upsertEgress(provider: region.provider, region: region.name, tariff, source: "default", connection, logger)
            }
            let pairs = Self.pairs(catalogue.latency)
            try await Self.writeLatencies(pairs, version: 1, source: "default", connection, logger)
            try await Self.recordVersion(kind: "latencies", number: 1, fingerprint: Self.latencyFingerprint(pairs), count: pairs.count,
                                         source: "default", added: pairs.count, changed: 0, removed: 0, actor: nil, connection, logger)
            logger.notice("seeded the default catalogue", metadata: ["offers": "\(catalogue.offers.count)", "latency_pairs": "\(pairs.count)"])
            return true
        }
    }

    // MARK: loading

    func versions() async throws -> Versions {
        try await postgres.withConnection { try await Self.versions($0, logger) }
    }

    static func versions(_ connection: PostgresConnection, _ logger: Logger) async throws -> Versions {
        var versions = Versions(prices: 0, latencies: 0)
        for try await (kind, number) in try await connection.query(
            "SELECT kind, max(number) FROM catalogue_versions GROUP BY kind", logger: logger
        ).decode((String, Int).self) {
            if kind == "prices" { versions.prices = number } else { versions.latencies = number }
        }
        return versions
    }

    /// The whole catalogue as the pure cores take it.
    func load() async throws -> (catalogue: CloudCatalogue, versions: Versions) {
        try await postgres.withConnection { connection in
            let versions = try await Self.versions(connection, logger)
            let offers = try await Self.offers(connection, logger)
            var providers: [Provider: EgressTariff] = [:]
            var overrides: [RegionID: EgressTariff] = [:]
            for try await (provider, region, same, inter, internet) in try await connection.query(
                "SELECT provider, region, same_region_per_gb, inter_region_per_gb, internet_per_gb FROM egress_prices", logger: logger
            ).decode((String, String, Double, Double, Double).self) {
                guard let provider = Provider(rawValue: provider) else { continue }
                let tariff = EgressTariff(sameRegionPerGB: same, interRegionPerGB: inter, internetPerGB: internet)
                if region.isEmpty { providers[provider] = tariff } else { overrides[RegionID(provider, region)] = tariff }
            }
            var latency = LatencyMatrix()
            for try await (ap, ar, bp, br, rtt) in try await connection.query(
                "SELECT a_provider, a_region, b_provider, b_region, rtt_ms FROM latencies", logger: logger
            ).decode((String, String, String, String, Double).self) {
                guard let a = Provider(rawValue: ap), let b = Provider(rawValue: bp) else { continue }
                latency.record(RegionID(a, ar), RegionID(b, br), rttMilliseconds: rtt)
            }
            return (CloudCatalogue(offers: offers, egress: EgressPriceTable(providers: providers, regionOverrides: overrides), latency: latency), versions)
        }
    }

    static func offers(_ connection: PostgresConnection, _ logger: Logger) async throws -> [InstanceOffer] {
        var offers: [InstanceOffer] = []
        for try await row in try await connection.query(
            """
            SELECT t.provider, t.region, t.instance_type, t.vcpus, t.memory_gb, t.gpu_model, t.gpu_count, p.hourly_usd, r.continent, r.country_code
            FROM instance_types t
            JOIN regions r ON r.provider = t.provider AND r.name = t.region
            JOIN hourly_prices p ON p.provider = t.provider AND p.region = t.region AND p.instance_type = t.instance_type AND p.superseded_in IS NULL
            ORDER BY t.provider, t.region, t.instance_type
            """, logger: logger
        ).decode((String, String, String, Int, Double, String?, Int?, Double, String?, String?).self) {
            guard let provider = Provider(rawValue: row.0) else { continue }
            let geography = row.8.flatMap(Continent.init(rawValue:)).map { Geography(continent: $0, countryCode: row.9) }
            let gpu = row.5.flatMap { model in row.6.map { GPUSpec(model: model, count: $0) } }
            offers.append(InstanceOffer(region: Region(RegionID(provider, row.1), geography: geography), instanceType: row.2, vCPU: row.3,
                                        memoryGB: row.4, gpu: gpu, hourlyUSD: row.7))
        }
        return offers
    }

    // MARK: importing prices

    /// Applies a price list: what `CatalogueImport` says changes (added, changed, removed within
    /// `scope`) is written, the version moves on only when something changed, and the import is
    /// logged. `dryRun` computes the same report and writes nothing.
    func importOffers(
        _ imported: [InstanceOffer], source: String, scope: CatalogueDiff.Scope, dryRun: Bool, effectiveDates: [OfferKey: String] = [:],
        acceptedRows: Int, ignoredRows: Int, issues: [ImportIssue], actor: String?
    ) async throws -> ImportReport {
        try await postgres.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(Self.lockKey)))", logger: logger)
            let versions = try await Self.versions(connection, logger)
            let current = try await Self.offers(connection, logger)
            let result = CatalogueImport(current: current, version: CatalogueVersion(number: versions.prices, offers: current),
                                         imported: imported, scope: scope)
            let diff = result.diff
            if !dryRun, result.changedAnything {
                let version = result.version.number
                try await Self.upsertRegions(diff.added.map(\.region) + diff.changed.map(\.after.region), connection, logger)
                if !diff.removed.isEmpty {
                    try await connection.query(
                        """
                        DELETE FROM instance_types t USING unnest(\(diff.removed.map(\.provider.rawValue))::text[], \(diff.removed.map(\.region.name))::text[],
                                                                  \(diff.removed.map(\.instanceType))::text[]) AS u(p, r, i)
                        WHERE t.provider = u.p AND t.region = u.r AND t.instance_type = u.i
                        """, logger: logger)
                }
                if !diff.changed.isEmpty {
                    let after = diff.changed.map(\.after)
                    try await connection.query(
                        """
                        UPDATE instance_types t SET vcpus = u.v, memory_gb = u.m, gpu_model = nullif(u.g, ''), gpu_count = nullif(u.c, 0)
                        FROM unnest(\(after.map(\.provider.rawValue))::text[], \(after.map(\.region.name))::text[], \(after.map(\.instanceType))::text[],
                                    \(after.map(\.vCPU))::int[], \(after.map(\.memoryGB))::float8[], \(after.map { $0.gpu?.model ?? "" })::text[],
                                    \(after.map { $0.gpu?.count ?? 0 })::int[]) AS u(p, r, i, v, m, g, c)
                        WHERE t.provider = u.p AND t.region = u.r AND t.instance_type = u.i
                        """, logger: logger)
                    let repriced = diff.changed.filter { $0.fields.contains(.hourlyPrice) }.map(\.after)
                    if !repriced.isEmpty {
                        try await connection.query(
                            """
                            UPDATE hourly_prices h SET superseded_in = \(version)
                            FROM unnest(\(repriced.map(\.provider.rawValue))::text[], \(repriced.map(\.region.name))::text[], \(repriced.map(\.instanceType))::text[]) AS u(p, r, i)
                            WHERE h.provider = u.p AND h.region = u.r AND h.instance_type = u.i AND h.superseded_in IS NULL
                            """, logger: logger)
                        try await Self.insertPrices(repriced, version: version, source: source, effectiveDates: effectiveDates, connection, logger)
                    }
                }
                if !diff.added.isEmpty {
                    try await Self.insertOffers(diff.added, version: version, source: source, effectiveDates: effectiveDates, connection, logger)
                }
                try await Self.recordVersion(kind: "prices", number: version, fingerprint: result.version.fingerprint, count: result.version.offerCount,
                                             source: source, added: diff.added.count, changed: diff.changed.count, removed: diff.removed.count,
                                             actor: actor, connection, logger)
            }
            let report = ImportReport(
                kind: "prices", source: source, dryRun: dryRun, acceptedRows: acceptedRows, ignoredRows: ignoredRows, issues: issues,
                added: diff.added.count, changed: diff.changed.count, removed: diff.removed.count, changedAnything: result.changedAnything,
                version: Self.view(result.version))
            if !dryRun { try await Self.logImport(report, actor: actor, connection, logger) }
            return report
        }
    }

    // MARK: importing latencies

    struct Pair: Sendable, Hashable {
        var a: RegionID
        var b: RegionID
        var rtt: Double
        var count: Int
    }

    /// Every measured pair of a matrix, canonical order (a < b, or a == b for self pairs).
    static func pairs(_ matrix: LatencyMatrix) -> [Pair] {
        let regions = matrix.regions
        var pairs: [Pair] = []
        for (i, a) in regions.enumerated() {
            for b in regions[i...] {
                guard let rtt = matrix.measuredRTTMilliseconds(between: a, and: b) else { continue }
                pairs.append(Pair(a: a, b: b, rtt: rtt, count: matrix.measurementCount(between: a, and: b)))
            }
        }
        return pairs
    }

    /// Replaces the stored measurement of every pair the file measured; pairs it did not measure
    /// stay. Idempotent: the same file again changes nothing and keeps the version.
    func importLatencies(_ matrix: LatencyMatrix, source: String, dryRun: Bool, acceptedRows: Int, ignoredRows: Int, issues: [ImportIssue],
                         actor: String?) async throws -> ImportReport {
        let imported = Self.pairs(matrix)
        return try await postgres.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(Self.lockKey)))", logger: logger)
            let versions = try await Self.versions(connection, logger)
            var stored: [String: Pair] = [:]
            for try await (ap, ar, bp, br, rtt, count) in try await connection.query(
                "SELECT a_provider, a_region, b_provider, b_region, rtt_ms, measurements FROM latencies", logger: logger
            ).decode((String, String, String, String, Double, Int).self) {
                guard let a = Provider(rawValue: ap), let b = Provider(rawValue: bp) else { continue }
                let pair = Pair(a: RegionID(a, ar), b: RegionID(b, br), rtt: rtt, count: count)
                stored[Self.key(pair)] = pair
            }
            var added = 0, changed = 0
            var writes: [Pair] = []
            for pair in imported {
                if let old = stored[Self.key(pair)] {
                    // Compared to a microsecond: float noise in a mean is not a change.
                    if (old.rtt * 1000).rounded() != (pair.rtt * 1000).rounded() || old.count != pair.count { changed += 1; writes.append(pair) }
                } else {
                    added += 1
                    writes.append(pair)
                }
                stored[Self.key(pair)] = pair
            }
            let all = stored.values.sorted { (Self.key($0)) < (Self.key($1)) }
            let changedAnything = !writes.isEmpty
            let number = changedAnything ? versions.latencies + 1 : versions.latencies
            let fingerprint = Self.latencyFingerprint(all)
            if !dryRun, changedAnything {
                try await Self.writeLatencies(writes, version: number, source: source, connection, logger)
                try await Self.recordVersion(kind: "latencies", number: number, fingerprint: fingerprint, count: all.count, source: source,
                                             added: added, changed: changed, removed: 0, actor: actor, connection, logger)
            }
            let report = ImportReport(
                kind: "latencies", source: source, dryRun: dryRun, acceptedRows: acceptedRows, ignoredRows: ignoredRows, issues: issues,
                added: added, changed: changed, removed: 0, changedAnything: changedAnything,
                version: CatalogueVersionView(number: number, fingerprint: String(fingerprint, radix: 16), offerCount: all.count))
            if !dryRun { try await Self.logImport(report, actor: actor, connection, logger) }
            return report
        }
    }

    static func key(_ pair: Pair) -> String { "\(pair.a)|\(pair.b)" }

    static func latencyFingerprint(_ pairs: [Pair]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for pair in pairs.sorted(by: { key($0) < key($1) }) {
            for byte in "\(key(pair))|\(Int64((pair.rtt * 1000).rounded()))|\(pair.count)\n".utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
        }
        return hash
    }

    // MARK: reads

    struct PriceFilter: Sendable {
        var provider: String?
        var region: String?
        var instanceType: String?
        var minVCPU: Int?
        var minMemoryGB: Double?
        var maxHourlyUSD: Double?
        var limit = 500
        var offset = 0
    }

    func prices(_ filter: PriceFilter) async throws -> (total: Int, prices: [PriceView]) {
        let whereClause: PostgresQuery = """
            WHERE (\(filter.provider)::text IS NULL OR t.provider = \(filter.provider))
              AND (\(filter.region)::text IS NULL OR t.region = \(filter.region))
              AND (\(filter.instanceType)::text IS NULL OR t.instance_type = \(filter.instanceType))
              AND (\(filter.minVCPU)::int8 IS NULL OR t.vcpus >= \(filter.minVCPU))
              AND (\(filter.minMemoryGB)::float8 IS NULL OR t.memory_gb >= \(filter.minMemoryGB))
              AND (\(filter.maxHourlyUSD)::float8 IS NULL OR p.hourly_usd <= \(filter.maxHourlyUSD))
            """
        let from = """
            FROM instance_types t
            JOIN regions r ON r.provider = t.provider AND r.name = t.region
            JOIN hourly_prices p ON p.provider = t.provider AND p.region = t.region AND p.instance_type = t.instance_type AND p.superseded_in IS NULL
            """
        var total = 0
        var countQuery = PostgresQuery(unsafeSQL: "SELECT count(*) " + from + " ")
        countQuery.sql += whereClause.sql
        countQuery.binds = whereClause.binds
        for try await count in try await postgres.query(countQuery, logger: logger).decode(Int.self) { total = count }
        var query = PostgresQuery(unsafeSQL: """
            SELECT t.provider, t.region, t.instance_type, t.vcpus, t.memory_gb, t.gpu_model, t.gpu_count, p.hourly_usd,
                   p.effective_date::text, p.source, r.continent, r.country_code
            """ + " " + from + " ")
        query.sql += whereClause.sql + " ORDER BY p.hourly_usd, t.provider, t.region, t.instance_type LIMIT \(filter.limit) OFFSET \(filter.offset)"
        query.binds = whereClause.binds
        var prices: [PriceView] = []
        for try await row in try await postgres.query(query, logger: logger)
            .decode((String, String, String, Int, Double, String?, Int?, Double, String, String, String?, String?).self) {
            let (text, nanos) = MoneyText.hourly(row.7)
            prices.append(PriceView(provider: row.0, region: row.1, instanceType: row.2, vcpus: row.3, memoryGB: row.4, gpuModel: row.5,
                                    gpuCount: row.6, hourlyUSD: text, hourlyNanoDollars: nanos, effectiveDate: row.8, source: row.9,
                                    continent: row.10, countryCode: row.11))
        }
        return (total, prices)
    }

    func latencies(provider: String?, region: String?, limit: Int, offset: Int) async throws -> (total: Int, latencies: [LatencyView]) {
        var total = 0
        for try await count in try await postgres.query(
            """
            SELECT count(*) FROM latencies WHERE (\(provider)::text IS NULL OR a_provider = \(provider) OR b_provider = \(provider))
              AND (\(region)::text IS NULL OR a_region = \(region) OR b_region = \(region))
            """, logger: logger
        ).decode(Int.self) { total = count }
        var latencies: [LatencyView] = []
        for try await row in try await postgres.query(
            """
            SELECT a_provider, a_region, b_provider, b_region, rtt_ms, measurements, source FROM latencies
            WHERE (\(provider)::text IS NULL OR a_provider = \(provider) OR b_provider = \(provider))
              AND (\(region)::text IS NULL OR a_region = \(region) OR b_region = \(region))
            ORDER BY a_provider, a_region, b_provider, b_region LIMIT \(limit) OFFSET \(offset)
            """, logger: logger
        ).decode((String, String, String, String, Double, Int, String).self) {
            latencies.append(LatencyView(a: RegionRef(provider: row.0, region: row.1), b: RegionRef(provider: row.2, region: row.3),
                                         rttMilliseconds: row.4, measurements: row.5, source: row.6))
        }
        return (total, latencies)
    }

    func egress() async throws -> [EgressPriceView] {
        var rows: [EgressPriceView] = []
        for try await row in try await postgres.query(
            "SELECT provider, region, same_region_per_gb, inter_region_per_gb, internet_per_gb, source FROM egress_prices ORDER BY provider, region",
            logger: logger
        ).decode((String, String, Double, Double, Double, String).self) {
            rows.append(EgressPriceView(provider: row.0, region: row.1.isEmpty ? nil : row.1, sameRegionPerGBUSD: row.2, interRegionPerGBUSD: row.3,
                                        internetPerGBUSD: row.4, source: row.5))
        }
        return rows
    }

    func versionView() async throws -> CatalogueVersionView {
        for try await (number, fingerprint, count) in try await postgres.query(
            "SELECT number, fingerprint, item_count FROM catalogue_versions WHERE kind = 'prices' ORDER BY number DESC LIMIT 1", logger: logger
        ).decode((Int, String, Int).self) {
            return CatalogueVersionView(number: number, fingerprint: fingerprint, offerCount: count)
        }
        return CatalogueVersionView(number: 0, fingerprint: "", offerCount: 0)
    }

    // MARK: writing helpers

    static func view(_ version: CatalogueVersion) -> CatalogueVersionView {
        CatalogueVersionView(number: version.number, fingerprint: String(version.fingerprint, radix: 16), offerCount: version.offerCount)
    }

    static func upsertRegions(_ regions: [Region], _ connection: PostgresConnection, _ logger: Logger) async throws {
        var unique: [RegionID: Region] = [:]
        for region in regions { unique[region.id] = region }
        guard !unique.isEmpty else { return }
        let list = unique.values.sorted { $0.id < $1.id }
        try await connection.query(
            """
            INSERT INTO regions (provider, name, continent, country_code)
            SELECT p, n, nullif(c, ''), nullif(cc, '') FROM unnest(\(list.map(\.provider.rawValue))::text[], \(list.map(\.name))::text[],
                   \(list.map { $0.geography?.continent.rawValue ?? "" })::text[], \(list.map { $0.geography?.countryCode ?? "" })::text[]) AS u(p, n, c, cc)
            ON CONFLICT (provider, name) DO UPDATE SET continent = coalesce(EXCLUDED.continent, regions.continent),
                                                       country_code = coalesce(EXCLUDED.country_code, regions.country_code)
            """, logger: logger)
    }

    static func insertOffers(_ offers: [InstanceOffer], version: Int, source: String, effectiveDates: [OfferKey: String],
                             _ connection: PostgresConnection, _ logger: Logger) async throws {
        for chunk in stride(from: 0, to: offers.count, by: 2000).map({ Array(offers[$0..<min($0 + 2000, offers.count)]) }) {
            try await connection.query(
                """
                INSERT INTO instance_types (provider, region, instance_type, vcpus, memory_gb, gpu_model, gpu_count)
                SELECT p, r, i, v, m, nullif(g, ''), nullif(c, 0)
                FROM unnest(\(chunk.map(\.provider.rawValue))::text[], \(chunk.map(\.region.name))::text[], \(chunk.map(\.instanceType))::text[],
                            \(chunk.map(\.vCPU))::int[], \(chunk.map(\.memoryGB))::float8[], \(chunk.map { $0.gpu?.model ?? "" })::text[],
                            \(chunk.map { $0.gpu?.count ?? 0 })::int[]) AS u(p, r, i, v, m, g, c)
                """, logger: logger)
            try await insertPrices(chunk, version: version, source: source, effectiveDates: effectiveDates, connection, logger)
        }
    }

    static func insertPrices(_ offers: [InstanceOffer], version: Int, source: String, effectiveDates: [OfferKey: String],
                             _ connection: PostgresConnection, _ logger: Logger) async throws {
        let today = String(UsageStream.timestamp(Date()).prefix(10))
        try await connection.query(
            """
            INSERT INTO hourly_prices (provider, region, instance_type, hourly_usd, nano_dollars, effective_date, source, catalogue_version)
            SELECT p, r, i, h, n, d::date, \(source), \(version)
            FROM unnest(\(offers.map(\.provider.rawValue))::text[], \(offers.map(\.region.name))::text[], \(offers.map(\.instanceType))::text[],
                        \(offers.map(\.hourlyUSD))::float8[], \(offers.map { MoneyText.hourly($0.hourlyUSD).nanoDollars })::int8[],
                        \(offers.map { Self.date(effectiveDates[OfferKey($0)]) ?? today })::text[]) AS u(p, r, i, h, n, d)
            """, logger: logger)
    }

    /// The YYYY-MM-DD start of an ISO 8601 date or date-time, when it is one.
    static func date(_ text: String?) -> String? {
        guard let text, text.count >= 10 else { return nil }
        let day = String(text.prefix(10))
        return day.range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) != nil ? day : nil
    }

    static func upsertEgress(provider: Provider, region: String, _ tariff: EgressTariff, source: String,
                             _ connection: PostgresConnection, _ logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO egress_prices (provider, region, same_region_per_gb, inter_region_per_gb, internet_per_gb, source)
            VALUES (\(provider.rawValue), \(region), \(tariff.sameRegionPerGB), \(tariff.interRegionPerGB), \(tariff.internetPerGB), \(source))
            ON CONFLICT (provider, region) DO UPDATE SET same_region_per_gb = EXCLUDED.same_region_per_gb,
                inter_region_per_gb = EXCLUDED.inter_region_per_gb, internet_per_gb = EXCLUDED.internet_per_gb, source = EXCLUDED.source, updated_at = now()
            """, logger: logger)
    }

    static func writeLatencies(_ pairs: [Pair], version: Int, source: String, _ connection: PostgresConnection, _ logger: Logger) async throws {
        guard !pairs.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO latencies (a_provider, a_region, b_provider, b_region, rtt_ms, measurements, source, latency_version)
            SELECT ap, ar, bp, br, rtt, n, \(source), \(version)
            FROM unnest(\(pairs.map(\.a.provider.rawValue))::text[], \(pairs.map(\.a.name))::text[], \(pairs.map(\.b.provider.rawValue))::text[],
                        \(pairs.map(\.b.name))::text[], \(pairs.map(\.rtt))::float8[], \(pairs.map(\.count))::int[]) AS u(ap, ar, bp, br, rtt, n)
            ON CONFLICT (a_provider, a_region, b_provider, b_region) DO UPDATE SET rtt_ms = EXCLUDED.rtt_ms, measurements = EXCLUDED.measurements,
                source = EXCLUDED.source, latency_version = EXCLUDED.latency_version
            """, logger: logger)
    }

    static func recordVersion(kind: String, number: Int, fingerprint: UInt64, count: Int, source: String, added: Int, changed: Int, removed: Int,
                              actor: String?, _ connection: PostgresConnection, _ logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO catalogue_versions (kind, number, fingerprint, item_count, source, added, changed, removed, created_by)
            VALUES (\(kind), \(number), \(String(fingerprint, radix: 16)), \(count), \(source), \(added), \(changed), \(removed), \(actor))
            """, logger: logger)
    }

    static func logImport(_ report: ImportReport, actor: String?, _ connection: PostgresConnection, _ logger: Logger) async throws {
        let issues = String(decoding: try JSONEncoder().encode(report.issues.prefix(1000).map { $0 }), as: UTF8.self)
        try await connection.query(
            """
            INSERT INTO imports (id, kind, source, dry_run, accepted_rows, ignored_rows, issues, version, changed_anything, created_by)
            VALUES (\(UUID()), \(report.kind), \(report.source), \(report.dryRun), \(report.acceptedRows), \(report.ignoredRows), \(issues)::jsonb,
                    \(report.version.number), \(report.changedAnything), \(actor))
            """, logger: logger)
    }
}
