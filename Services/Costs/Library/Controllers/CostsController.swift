import CloudClients
import CostsCore
import CumulusAPI
import CumulusKit
import Foundation
import Hummingbird

/// A federation's metered costs (by day, provider, region, component), its line items, and
/// its provider bill read from AWS Cost Explorer.
struct CostsController: Sendable {
    let metering: MeteringStore
    let costExplorer: AWSCostExplorerClient
    let credentials: GovernanceCredentials
    let settings: CostsSettings

    /// The longest span one report covers.
    static let maxDays: Int64 = 366

    func addRoutes(to router: Router<CumulusRequestContext>) {
        router.get("/api/v1/costs/{federationId}") { request, context in try await report(request, context) }
        router.get("/api/v1/costs/{federationId}/line-items") { request, context in try await lineItems(request, context) }
        router.get("/api/v1/costs/{federationId}/billing") { _, context in try await billing(context) }
        router.post("/api/v1/costs/{federationId}/billing/aws") { request, context in try await syncAWS(request, context) }
    }

    func report(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let federation = try Self.federation(context)
        try await CostsAccess.requireInFederation("costs:read", federation, context)
        let (from, to) = try Self.span(request)
        return try Response.json(try await metering.report(federation: federation, from: from, to: to))
    }

    func lineItems(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let federation = try Self.federation(context)
        try await CostsAccess.requireInFederation("costs:read", federation, context)
        let (from, to) = try Self.span(request)
        let limit = try QueryValue.integer(request.uri.queryParameters["limit"], "limit", 1...10_000) ?? 1000
        return try Response.json(try await metering.lineItems(federation: federation, from: from, to: to, limit: limit))
    }

    func billing(_ context: CumulusRequestContext) async throws -> Response {
        let federation = try Self.federation(context)
        try await CostsAccess.requireInFederation("costs:read", federation, context)
        let days = try await metering.billed(federation: federation)
        let total = days.map(\.nanoDollars).reduce(0, +)
        return try Response.json(BillingReport(federationId: federation, tagKey: settings.federationTagKey, days: days,
                                               total: CostAmount(key: "total", nanoDollars: total, usd: MoneyText.usd(total))))
    }

    /// Reads the federation's AWS bill (costs tagged `tagKey = federation id`) for a span of days
    /// and stores it beside the metered costs, signed with an AWS credential kept by governance:
    /// the caller names it, must be able to read it, and its secret is used for this one call.
    func syncAWS(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let federation = try Self.federation(context)
        let identity = try await CostsAccess.requireInFederation("budgets:manage", federation, context)
        let body = try await request.decode(as: AWSBillingSyncRequest.self, context: context)
        guard let start = UTCDay(body.start) else { throw Problem.invalidField("start", "must be a YYYY-MM-DD date") }
        guard let end = UTCDay(body.end) else { throw Problem.invalidField("end", "must be a YYYY-MM-DD date") }
        guard start < end else { throw Problem.invalidField("end", "must be after start (end is exclusive)") }
        guard start.distance(to: end) <= Self.maxDays else {
            throw Problem.invalidField("end", "at most \(Self.maxDays) days after start", limit: "\(Self.maxDays) days")
        }
        let credentials = try await self.credentials.aws(
            body.credentialId, for: identity, purpose: "read the AWS bill of federation \(federation.uuidString.lowercased()) from Cost Explorer",
            requestID: context.logger[metadataKey: "request_id"]?.description)
        let tagValue = federation.uuidString.lowercased()
        let groups: [AWSCostExplorerClient.Group]
        do {
            groups = try await costExplorer.costAndUsage(credentials: credentials, start: start.description, end: end.description,
                                                         tagKey: settings.federationTagKey, tagValues: [tagValue])
        } catch {
            context.logger.warning("cost explorer call failed", metadata: ["federation": "\(federation)", "error": .string(error.description)])
            switch error {
            case let .rejected(_, status, code, message) where status < 500 && !code.lowercased().contains("throttl"):
                throw Problem(.unprocessableContent, detail: "AWS refused the request: \(code): \(message)", type: "urn:cumulus:problem:provider-rejected")
            default:
                throw Problem(.badGateway, detail: error.description, type: "urn:cumulus:problem:provider-unavailable")
            }
        }
        // Only the federation's own tag value counts, whatever else the answer holds.
        var days: [String: (nanoDollars: Int64, estimated: Bool)] = [:]
        for group in groups where group.tagValue.lowercased() == tagValue {
            guard group.unit == "USD", let amount = Money(dollars: Self.truncatedToNanos(group.amount)) else {
                throw Problem(.badGateway, detail: "Cost Explorer returned an amount that is not USD: \(group.amount) \(group.unit)")
            }
            let current = days[group.start] ?? (0, false)
            days[group.start] = (current.nanoDollars + amount.nanoDollars, current.estimated || group.estimated)
        }
        let rows = days.keys.sorted().map { (day: $0, nanoDollars: days[$0]!.nanoDollars, estimated: days[$0]!.estimated) }
        try await metering.storeBilled(federation: federation, provider: "aws", source: "aws-cost-explorer", days: rows)
        context.logger.notice("AWS bill read", metadata: ["federation": "\(federation)", "days": "\(rows.count)", "by": .string(identity.subject),
                                                    "credential": "\(body.credentialId)"])
        let billed = rows.map { BilledDay(day: $0.day, provider: "aws", nanoDollars: $0.nanoDollars, usd: MoneyText.usd($0.nanoDollars),
                                          estimated: $0.estimated, source: "aws-cost-explorer") }
        let total = rows.map(\.nanoDollars).reduce(0, +)
        return try Response.json(BillingReport(federationId: federation, tagKey: settings.federationTagKey, days: billed,
                                               total: CostAmount(key: "total", nanoDollars: total, usd: MoneyText.usd(total))))
    }

    /// Cost Explorer writes up to 10 decimals ("0.0101516483"); a bill is kept to the nano-dollar.
    static func truncatedToNanos(_ amount: String) -> String {
        guard let dot = amount.firstIndex(of: ".") else { return amount }
        let decimals = amount[amount.index(after: dot)...]
        return decimals.count <= 9 ? amount : String(amount[..<dot]) + "." + decimals.prefix(9)
    }

    static func federation(_ context: CumulusRequestContext) throws -> UUID {
        guard let text = context.parameters.get("federationId"), let id = UUID(uuidString: text) else {
            throw Problem.invalidField("federationId", "must be a UUID")
        }
        return id
    }

    /// `from`/`to` (YYYY-MM-DD, inclusive), by default the current month to date.
    static func span(_ request: Request) throws -> (UTCDay, UTCDay) {
        let query = request.uri.queryParameters
        let today = BudgetStore.today()
        let to = try query["to"].map { text -> UTCDay in
            guard let day = UTCDay(text) else { throw Problem.invalidField("to", "must be a YYYY-MM-DD date") }
            return day
        } ?? today
        let from = try query["from"].map { text -> UTCDay in
            guard let day = UTCDay(text) else { throw Problem.invalidField("from", "must be a YYYY-MM-DD date") }
            return day
        } ?? BudgetPeriod.monthly.window(containing: to).start
        guard from <= to else { throw Problem.invalidField("from", "must not be after to") }
        guard from.distance(to: to) < maxDays else { throw Problem.invalidField("from", "at most \(maxDays) days before to", limit: "\(maxDays) days") }
        return (from, to)
    }
}
