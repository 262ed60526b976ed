import CostsCore
import CumulusAPI
import CumulusKit
import Foundation
import Logging
import PostgresNIO

/// Budgets per federation and their thresholds.
///
/// A threshold fires at most once per budget and period: the firing is a row whose unique key
/// is (budget, period start, percent), inserted in the same transaction as the line items that
/// crossed it. The comparison is CostsCore's exact `Budget.reached` (spent × 100 ≥ limit × t)
/// over the period's line items summed in PostgreSQL. (CostsCore's `BudgetTracker` keeps the
/// same rules in memory with every counted event id; here the event ids are already unique in
/// `usage_events`, so the database needs only the sums and the firing keys — bounded state.)
/// Evaluations of one federation are serialised by an advisory lock, so two events committed
/// together cannot both miss a crossing they make jointly.
struct BudgetStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    struct Row: Sendable {
        var id: UUID
        var federation: UUID
        var limit: Int64
        var thresholds: [Int]
        var period: BudgetPeriod
        var createdAt: Date

        func budget() throws -> Budget {
            try Budget(id: id.uuidString.lowercased(), federation: federation.uuidString.lowercased(), limit: Money(nanoDollars: limit),
                       thresholdPercents: thresholds, period: period)
        }
    }

    static func today() -> UTCDay {
        Timestamp(millisecondsSince1970: Int64((Date().timeIntervalSince1970 * 1000).rounded())).day
    }

    // MARK: CRUD

    func create(federation: UUID, limit: Money, thresholds: [Int], period: BudgetPeriod, by actor: String) async throws -> UUID {
        let id = UUID()
        try await postgres.withTransaction(logger: logger) { connection in
            try await connection.query(
                """
                INSERT INTO budgets (id, federation_id, limit_nano_dollars, threshold_percents, period, created_by)
                VALUES (\(id), \(federation), \(limit.nanoDollars), \(thresholds)::int[], \(period.rawValue), \(actor))
                """, logger: logger)
            // Spend already counted may cross thresholds of a new budget at once.
            try await evaluate(federation: federation, days: [Self.today()], trigger: nil, connection)
        }
        return id
    }

    func change(_ row: Row, limit: Money?, thresholds: [Int]?) async throws {
        try await postgres.withTransaction(logger: logger) { connection in
            try await connection.query(
                """
                UPDATE budgets SET limit_nano_dollars = \(limit?.nanoDollars ?? row.limit), threshold_percents = \(thresholds ?? row.thresholds)::int[],
                                   updated_at = now() WHERE id = \(row.id)
                """, logger: logger)
            // A lowered limit can cross thresholds at once; fired ones stay fired.
            try await evaluate(federation: row.federation, days: [Self.today()], trigger: nil, connection)
        }
    }

    func delete(_ id: UUID) async throws {
        try await postgres.query("DELETE FROM budgets WHERE id = \(id)", logger: logger)
    }

    func budget(_ id: UUID) async throws -> Row? {
        try await rows(id: id, federation: nil).first
    }

    func budgets(federation: UUID) async throws -> [Row] {
        try await rows(id: nil, federation: federation)
    }

    private func rows(id: UUID?, federation: UUID?) async throws -> [Row] {
        var rows: [Row] = []
        for try await row in try await postgres.query(
            """
            SELECT id, federation_id, limit_nano_dollars, threshold_percents, period, created_at FROM budgets
            WHERE (\(id)::uuid IS NULL OR id = \(id)) AND (\(federation)::uuid IS NULL OR federation_id = \(federation)) ORDER BY created_at
            """, logger: logger
        ).decode((UUID, UUID, Int64, [Int32], String, Date).self) {
            rows.append(Row(id: row.0, federation: row.1, limit: row.2, thresholds: row.3.map(Int.init), period: BudgetPeriod(rawValue: row.4) ?? .monthly,
                            createdAt: row.5))
        }
        return rows
    }

    // MARK: evaluation

    /// Fires every threshold newly reached in the periods containing `days`, for every budget of
    /// the federation, inside the caller's transaction. Returns the number of new firings.
    @discardableResult
    func evaluate(federation: UUID, days: Set<UTCDay>, trigger: String?, _ connection: PostgresConnection) async throws -> Int {
        let lockKey = "cumulus.costs.budget.\(federation.uuidString.lowercased())"
        try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(lockKey)))", logger: logger)
        var budgets: [Row] = []
        for try await row in try await connection.query(
            "SELECT id, federation_id, limit_nano_dollars, threshold_percents, period, created_at FROM budgets WHERE federation_id = \(federation)",
            logger: logger
        ).decode((UUID, UUID, Int64, [Int32], String, Date).self) {
            budgets.append(Row(id: row.0, federation: row.1, limit: row.2, thresholds: row.3.map(Int.init), period: BudgetPeriod(rawValue: row.4) ?? .monthly,
                               createdAt: row.5))
        }
        var fired = 0
        for row in budgets {
            let budget = try row.budget()
            for window in Set(days.map { row.period.window(containing: $0) }).sorted() {
                let spent = try await Self.spent(federation: federation, window: window, connection, logger)
                for percent in budget.thresholdPercents where budget.reached(percent, spent: spent) {
                    let inserted = try await connection.query(
                        """
                        INSERT INTO budget_firings (id, budget_id, federation_id, period, window_start, window_end, threshold_percent,
                                                    spent_nano_dollars, limit_nano_dollars, triggering_event_id)
                        VALUES (\(UUID()), \(row.id), \(federation), \(row.period.rawValue), \(window.start.description)::date, \(window.end.description)::date,
                                \(percent), \(spent.nanoDollars), \(row.limit), \(trigger))
                        ON CONFLICT (budget_id, window_start, threshold_percent) DO NOTHING RETURNING 1
                        """, logger: logger)
                    for try await _ in inserted {
                        fired += 1
                        logger.notice("budget threshold reached", metadata: [
                            "budget": "\(row.id)", "federation": "\(federation)", "percent": "\(percent)", "window": "\(window)",
                            "spent_nano_dollars": "\(spent.nanoDollars)", "limit_nano_dollars": "\(row.limit)",
                        ])
                    }
                }
            }
        }
        return fired
    }

    static func spent(federation: UUID, window: BudgetWindow, _ connection: PostgresConnection, _ logger: Logger) async throws -> Money {
        for try await sum in try await connection.query(
            """
            SELECT coalesce(sum(nano_dollars), 0)::int8 FROM line_items
            WHERE federation_id = \(federation) AND day >= \(window.start.description)::date AND day < \(window.end.description)::date
            """, logger: logger
        ).decode(Int64.self) { return Money(nanoDollars: sum) }
        return .zero
    }

    func spent(federation: UUID, window: BudgetWindow) async throws -> Money {
        try await postgres.withConnection { try await Self.spent(federation: federation, window: window, $0, logger) }
    }

    func firings(budget: UUID) async throws -> [BudgetFiringView] {
        var firings: [BudgetFiringView] = []
        for try await row in try await postgres.query(
            """
            SELECT id, window_start::text, window_end::text, threshold_percent, spent_nano_dollars, triggering_event_id, fired_at
            FROM budget_firings WHERE budget_id = \(budget) ORDER BY window_start, threshold_percent
            """, logger: logger
        ).decode((UUID, String, String, Int, Int64, String?, Date).self) {
            firings.append(BudgetFiringView(id: row.0, windowStart: row.1, windowEnd: row.2, thresholdPercent: row.3, spentNanoDollars: row.4,
                                            triggeringEventId: row.5, firedAt: row.6))
        }
        return firings
    }

    func view(_ row: Row) async throws -> BudgetView {
        let window = row.period.window(containing: Self.today())
        let spent = try await spent(federation: row.federation, window: window)
        return BudgetView(
            id: row.id, federationId: row.federation, limitNanoDollars: row.limit, limitUSD: MoneyText.usd(row.limit), thresholdPercents: row.thresholds,
            period: row.period.rawValue, windowStart: window.start.description, windowEnd: window.end.description, spentNanoDollars: spent.nanoDollars,
            spentUSD: MoneyText.usd(spent), spentRatio: Double(spent.nanoDollars) / Double(row.limit), firings: try await firings(budget: row.id),
            createdAt: row.createdAt)
    }

    // MARK: publishing (the outbox of firings)

    struct Firing: Sendable {
        var id: UUID
        var budget: UUID
        var federation: UUID
        var period: String
        var windowStart: String
        var windowEnd: String
        var percent: Int
        var spent: Int64
        var limit: Int64
        var trigger: String?
        var firedAt: Date
    }

    /// Publishes firings not yet published: an event on `cumulus.budgets` and an audit entry
    /// each, then marks them. Rows are locked (SKIP LOCKED) so replicas share the work; a crash
    /// between the publish and the mark publishes again, and consumers dedup by `firingId`.
    @discardableResult
    func publishPending(redis: any RedisCommandRunner, audit: AuditPublisher) async throws -> [Firing] {
        try await postgres.withTransaction(logger: logger) { connection in
            var firings: [Firing] = []
            for try await row in try await connection.query(
                """
                SELECT id, budget_id, federation_id, period, window_start::text, window_end::text, threshold_percent, spent_nano_dollars,
                       limit_nano_dollars, triggering_event_id, fired_at
                FROM budget_firings WHERE published_at IS NULL ORDER BY fired_at LIMIT 100 FOR UPDATE SKIP LOCKED
                """, logger: logger
            ).decode((UUID, UUID, UUID, String, String, String, Int, Int64, Int64, String?, Date).self) {
                firings.append(Firing(id: row.0, budget: row.1, federation: row.2, period: row.3, windowStart: row.4, windowEnd: row.5, percent: row.6,
                                      spent: row.7, limit: row.8, trigger: row.9, firedAt: row.10))
            }
            for firing in firings {
                try await redis.xadd(BudgetStream.name, fields: [
                    "firingId": firing.id.uuidString.lowercased(), "budgetId": firing.budget.uuidString.lowercased(),
                    "federation": firing.federation.uuidString.lowercased(), "period": firing.period, "windowStart": firing.windowStart,
                    "windowEnd": firing.windowEnd, "thresholdPercent": String(firing.percent), "spentNanoDollars": String(firing.spent),
                    "limitNanoDollars": String(firing.limit), "spentUSD": MoneyText.usd(firing.spent), "limitUSD": MoneyText.usd(firing.limit),
                    "triggeringEventId": firing.trigger ?? "", "firedAt": UsageStream.timestamp(firing.firedAt),
                ], maxLength: 100_000)
                try await audit.publish(
                    actor: "service:costs", action: "budgets:threshold-reached", target: "budget:\(firing.budget.uuidString.lowercased())",
                    federationID: firing.federation,
                    details: ["thresholdPercent": String(firing.percent), "window": "\(firing.windowStart)..\(firing.windowEnd)",
                              "spentUSD": MoneyText.usd(firing.spent), "limitUSD": MoneyText.usd(firing.limit), "firingId": firing.id.uuidString.lowercased()])
                try await connection.query("UPDATE budget_firings SET published_at = now() WHERE id = \(firing.id)", logger: logger)
            }
            return firings
        }
    }
}
