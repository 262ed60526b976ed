import CostsCore
import CumulusAPI
import CumulusKit
import Foundation
import Logging
import PlacementCore
import PostgresNIO

/// Usage events priced into line items, exactly once per event id, and the reports over them.
struct MeteringStore: Sendable {
    let postgres: PostgresClient
    let ledger: ProcessedMessageLedger
    let budgets: BudgetStore
    let logger: Logger

    enum Outcome: String, Sendable {
        case priced, unpriceable, malformed, duplicate
    }

    struct Recorded: Sendable {
        var outcome: Outcome
        var kind: String
        var federation: UUID?
        var firings: Int
    }

    /// Prices a stream message with `snapshot` and stores the result in one transaction with the
    /// message's ledger entry: a redelivered message (same stream id) or a republished event
    /// (same `eventId`) changes nothing. Malformed and unpriceable events are stored with their
    /// reason (and acknowledged), never billed as zero and never retried forever.
    func record(_ message: StreamMessage, stream: String, group: String, snapshot: CatalogueCache.Snapshot) async throws -> Recorded {
        let eventID = UsageEventParser.eventID(message.fields, messageID: message.id)
        let fieldsJSON = String(decoding: try JSONSerialization.data(withJSONObject: message.fields, options: [.sortedKeys]), as: UTF8.self)
        let kind = String((message.fields[UsageStream.Field.kind] ?? "unknown").prefix(50))
        let parsed = UsageEventParser.parse(message.fields, messageID: message.id)
        var recorded = Recorded(outcome: .duplicate, kind: kind, federation: nil, firings: 0)
        let ran = try await ledger.once(stream: stream, group: group, message: message, logger: logger) { connection in
            switch parsed {
            case let .failure(failure):
                let federation = message.fields[UsageStream.Field.federation].flatMap(UUID.init(uuidString:))
                guard try await insertEvent(eventID, message.id, kind: kind, source: message.fields[UsageStream.Field.source] ?? "unknown",
                                            federation: federation, outcome: .malformed, code: failure.code, reason: failure.description,
                                            total: 0, version: nil, substitution: nil, fields: fieldsJSON, connection) else { return }
                recorded = Recorded(outcome: .malformed, kind: kind, federation: federation, firings: 0)
                logger.warning("usage event is malformed; stored with its reason", metadata: [
                    "event_id": .string(eventID), "message_id": .string(message.id), "code": .string(failure.code), "reason": .string(failure.description)])
            case let .success(event):
                switch snapshot.pricer.price(event.event) {
                case let .unpriceable(usage):
                    guard try await insertEvent(eventID, message.id, kind: kind, source: event.source, federation: event.federation, outcome: .unpriceable,
                                                code: usage.reason.code, reason: usage.reason.description, total: 0,
                                                version: snapshot.versions.prices, substitution: nil, fields: fieldsJSON, connection) else { return }
                    recorded = Recorded(outcome: .unpriceable, kind: kind, federation: event.federation, firings: 0)
                    logger.warning("usage event cannot be priced", metadata: [
                        "event_id": .string(eventID), "code": .string(usage.reason.code), "reason": .string(usage.reason.description)])
                case let .priced(usage):
                    guard try await insertEvent(eventID, message.id, kind: kind, source: event.source, federation: event.federation, outcome: .priced,
                                                code: nil, reason: nil, total: usage.total.nanoDollars, version: snapshot.versions.prices,
                                                substitution: usage.substitution?.description, fields: fieldsJSON, connection) else { return }
                    try await insertLineItems(usage.lineItems, federation: event.federation, connection)
                    let firings = try await budgets.evaluate(federation: event.federation, days: Set(usage.lineItems.map(\.day)), trigger: eventID, connection)
                    recorded = Recorded(outcome: .priced, kind: kind, federation: event.federation, firings: firings)
                    logger.info("usage priced", metadata: [
                        "event_id": .string(eventID), "federation": "\(event.federation)", "kind": .string(kind),
                        "nano_dollars": "\(usage.total.nanoDollars)", "line_items": "\(usage.lineItems.count)",
                        "catalogue_version": "\(snapshot.versions.prices)"])
                }
            }
        }
        if !ran { recorded.outcome = .duplicate }
        return recorded
    }

    /// False when the event id is already stored (a republished event).
    private func insertEvent(_ eventID: String, _ messageID: String, kind: String, source: String, federation: UUID?, outcome: Outcome, code: String?,
                             reason: String?, total: Int64, version: Int?, substitution: String?, fields: String,
                             _ connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            """
            INSERT INTO usage_events (event_id, stream_id, kind, source, federation_id, outcome, code, reason, total_nano_dollars, catalogue_version,
                                      substitution, fields)
            VALUES (\(eventID), \(messageID), \(kind), \(String(source.prefix(100))), \(federation), \(outcome.rawValue), \(code), \(reason), \(total),
                    \(version), \(substitution), \(fields)::jsonb)
            ON CONFLICT (event_id) DO NOTHING RETURNING 1
            """, logger: logger)
        for try await _ in rows { return true }
        logger.info("usage event already recorded; ignored", metadata: ["event_id": .string(eventID), "message_id": .string(messageID)])
        return false
    }

    private func insertLineItems(_ items: [PricedLineItem], federation: UUID, _ connection: PostgresConnection) async throws {
        guard !items.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO line_items (event_id, idx, federation_id, organisation_id, component, provider, region, day, quantity, unit,
                                    rate_nano_dollars, nano_dollars, instance_type)
            SELECT e, i, \(federation), nullif(o, ''), c, p, r, d::date, q, u, rate, n, nullif(t, '')
            FROM unnest(\(items.map(\.id.eventID))::text[], \(items.map(\.id.index))::int[], \(items.map { $0.organisation ?? "" })::text[],
                        \(items.map(\.component.rawValue))::text[], \(items.map(\.provider.rawValue))::text[], \(items.map(\.region.name))::text[],
                        \(items.map(\.day.description))::text[], \(items.map(\.quantity))::int8[], \(items.map(\.rate.unit.rawValue))::text[],
                        \(items.map(\.rate.nanoDollarsPerUnit))::int8[], \(items.map(\.amount.nanoDollars))::int8[],
                        \(items.map { $0.instanceType ?? "" })::text[]) AS x(e, i, o, c, p, r, d, q, u, rate, n, t)
            ON CONFLICT (event_id, idx) DO NOTHING
            """, logger: logger)
    }

    // MARK: reports

    func report(federation: UUID, from: UTCDay, to: UTCDay) async throws -> CostReport {
        var rows: [CostRow] = []
        for try await row in try await postgres.query(
            """
            SELECT day::text, provider, region, component, sum(nano_dollars)::int8 FROM line_items
            WHERE federation_id = \(federation) AND day >= \(from.description)::date AND day <= \(to.description)::date
            GROUP BY day, provider, region, component ORDER BY day, provider, region, component
            """, logger: logger
        ).decode((String, String, String, String, Int64).self) {
            rows.append(CostRow(day: row.0, provider: row.1, region: row.2, component: row.3, nanoDollars: row.4, usd: MoneyText.usd(row.4)))
        }
        func group(_ key: (CostRow) -> String) -> [CostAmount] {
            var sums: [String: Int64] = [:]
            for row in rows { sums[key(row), default: 0] += row.nanoDollars }
            return sums.keys.sorted().map { CostAmount(key: $0, nanoDollars: sums[$0]!, usd: MoneyText.usd(sums[$0]!)) }
        }
        var unpriced: [String: Int] = [:]
        for try await (code, count) in try await postgres.query(
            "SELECT coalesce(code, outcome), count(*) FROM usage_events WHERE federation_id = \(federation) AND outcome <> 'priced' GROUP BY 1",
            logger: logger
        ).decode((String, Int).self) { unpriced[code] = count }
        let total = rows.map(\.nanoDollars).reduce(0, +)
        return CostReport(
            federationId: federation, from: from.description, to: to.description, total: CostAmount(key: "total", nanoDollars: total, usd: MoneyText.usd(total)),
            byDay: group(\.day), byProvider: group(\.provider), byRegion: group { "\($0.provider):\($0.region)" }, byComponent: group(\.component),
            rows: rows, unpriced: unpriced)
    }

    func lineItems(federation: UUID, from: UTCDay, to: UTCDay, limit: Int) async throws -> LineItemList {
        var items: [LineItemView] = []
        for try await row in try await postgres.query(
            """
            SELECT l.event_id, l.idx, e.kind, l.organisation_id, l.component, l.provider, l.region, l.day::text, l.quantity, l.unit, l.rate_nano_dollars,
                   l.nano_dollars, l.instance_type, e.substitution, coalesce(e.catalogue_version, 0)
            FROM line_items l JOIN usage_events e ON e.event_id = l.event_id
            WHERE l.federation_id = \(federation) AND l.day >= \(from.description)::date AND l.day <= \(to.description)::date
            ORDER BY l.day, l.event_id, l.idx LIMIT \(limit)
            """, logger: logger
        ).decode((String, Int, String, String?, String, String, String, String, Int64, String, Int64, Int64, String?, String?, Int).self) {
            items.append(LineItemView(eventId: row.0, index: row.1, kind: row.2, organisationId: row.3, component: row.4, provider: row.5, region: row.6,
                                      day: row.7, quantity: row.8, unit: row.9, rateNanoDollars: row.10, nanoDollars: row.11, usd: MoneyText.usd(row.11),
                                      instanceType: row.12, substitution: row.13, catalogueVersion: row.14))
        }
        var unpriced: [UnpricedEventView] = []
        for try await row in try await postgres.query(
            """
            SELECT event_id, kind, coalesce(code, outcome), coalesce(reason, '') FROM usage_events
            WHERE federation_id = \(federation) AND outcome <> 'priced' ORDER BY received_at DESC LIMIT \(limit)
            """, logger: logger
        ).decode((String, String, String, String).self) {
            unpriced.append(UnpricedEventView(eventId: row.0, kind: row.1, code: row.2, reason: row.3))
        }
        return LineItemList(lineItems: items, unpriced: unpriced)
    }

    /// Totals per federation (one, or all), provider and component, for the cost gauges.
    func totals(federation: UUID? = nil) async throws -> [(federation: UUID, provider: String, component: String, nanoDollars: Int64)] {
        var rows: [(UUID, String, String, Int64)] = []
        for try await row in try await postgres.query(
            """
            SELECT federation_id, provider, component, sum(nano_dollars)::int8 FROM line_items
            WHERE \(federation)::uuid IS NULL OR federation_id = \(federation) GROUP BY 1, 2, 3
            """, logger: logger
        ).decode((UUID, String, String, Int64).self) { rows.append(row) }
        return rows.map { (federation: $0.0, provider: $0.1, component: $0.2, nanoDollars: $0.3) }
    }

    // MARK: billing

    func storeBilled(federation: UUID, provider: String, source: String, days: [(day: String, nanoDollars: Int64, estimated: Bool)]) async throws {
        guard !days.isEmpty else { return }
        try await postgres.query(
            """
            INSERT INTO billed_costs (federation_id, provider, day, source, nano_dollars, estimated)
            SELECT \(federation), \(provider), d::date, \(source), n, e
            FROM unnest(\(days.map(\.day))::text[], \(days.map(\.nanoDollars))::int8[], \(days.map(\.estimated))::bool[]) AS u(d, n, e)
            ON CONFLICT (federation_id, provider, day, source) DO UPDATE SET nano_dollars = EXCLUDED.nano_dollars, estimated = EXCLUDED.estimated,
                fetched_at = now()
            """, logger: logger)
    }

    func billed(federation: UUID) async throws -> [BilledDay] {
        var days: [BilledDay] = []
        for try await row in try await postgres.query(
            "SELECT day::text, provider, nano_dollars, estimated, source FROM billed_costs WHERE federation_id = \(federation) ORDER BY day, provider",
            logger: logger
        ).decode((String, String, Int64, Bool, String).self) {
            days.append(BilledDay(day: row.0, provider: row.1, nanoDollars: row.2, usd: MoneyText.usd(row.2), estimated: row.3, source: row.4))
        }
        return days
    }
}
