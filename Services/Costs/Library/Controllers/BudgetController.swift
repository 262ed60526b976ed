import CostsCore
import CumulusAPI
import CumulusKit
import Foundation
import Hummingbird

/// Budgets per federation. Creating or changing one evaluates it at once, so a budget set
/// below what was already spent fires its thresholds straight away (once each).
struct BudgetController: Sendable {
    let budgets: BudgetStore
    let onChange: @Sendable (UUID) async -> Void

    func addRoutes(to router: Router<CumulusRequestContext>) {
        router.post("/api/v1/budgets") { request, context in try await create(request, context) }
        router.get("/api/v1/budgets") { request, context in try await list(request, context) }
        router.get("/api/v1/budgets/{id}") { _, context in try await show(context) }
        router.put("/api/v1/budgets/{id}") { request, context in try await change(request, context) }
        router.delete("/api/v1/budgets/{id}") { _, context in try await delete(context) }
    }

    func create(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let body = try await request.decode(as: NewBudget.self, context: context)
        let identity = try await CostsAccess.requireInFederation("budgets:manage", body.federationId, context)
        let limit = try Self.limit(body.limitUSD)
        let thresholds = try Self.thresholds(body.thresholdPercents ?? Budget.defaultThresholdPercents)
        let period = try body.period.map { text -> BudgetPeriod in
            guard let period = BudgetPeriod(rawValue: text) else { throw Problem.invalidField("period", "must be daily, weekly or monthly") }
            return period
        } ?? .monthly
        let id = try await budgets.create(federation: body.federationId, limit: limit, thresholds: thresholds, period: period, by: identity.subject)
        await onChange(body.federationId)
        context.logger.notice("budget created", metadata: ["budget": "\(id)", "federation": "\(body.federationId)", "limit_usd": .string(MoneyText.usd(limit))])
        return try Response.json(try await budgets.view(try await budgets.budget(id)!), status: .created)
    }

    func list(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let federation = try QueryValue.requiredUUID(request.uri.queryParameters["federationId"], "federationId")
        try await CostsAccess.requireInFederation("costs:read", federation, context)
        var views: [BudgetView] = []
        for row in try await budgets.budgets(federation: federation) { views.append(try await budgets.view(row)) }
        return try Response.json(BudgetList(budgets: views))
    }

    func show(_ context: CumulusRequestContext) async throws -> Response {
        try Response.json(try await budgets.view(try await visible(context, "costs:read")))
    }

    func change(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        let row = try await visible(context, "budgets:manage")
        let body = try await request.decode(as: BudgetChange.self, context: context)
        let limit = try body.limitUSD.map(Self.limit)
        let thresholds = try body.thresholdPercents.map(Self.thresholds)
        try await budgets.change(row, limit: limit, thresholds: thresholds)
        await onChange(row.federation)
        return try Response.json(try await budgets.view(try await budgets.budget(row.id)!))
    }

    func delete(_ context: CumulusRequestContext) async throws -> Response {
        let row = try await visible(context, "budgets:manage")
        try await budgets.delete(row.id)
        await onChange(row.federation)
        return Response(status: .noContent)
    }

    private func visible(_ context: CumulusRequestContext, _ permission: Permission) async throws -> BudgetStore.Row {
        let id = try context.parameters.require("id", as: UUID.self)
        guard let row = try await budgets.budget(id) else { throw Problem.notFound("budget \(id.uuidString.lowercased())") }
        do {
            try await CostsAccess.requireInFederation(permission, row.federation, context)
        } catch let problem as Problem where problem.details.status == 404 {
            throw Problem.notFound("budget \(id.uuidString.lowercased())")
        }
        return row
    }

    static let maxLimit = Money(dollars: 1_000_000_000)

    static func limit(_ text: String) throws -> Money {
        guard let money = Money(dollars: text.trimmingCharacters(in: .whitespaces)) else {
            throw Problem.invalidField("limitUSD", "must be a decimal number of dollars with at most 9 decimals, e.g. \"250.00\"")
        }
        guard money > .zero, money <= maxLimit else {
            throw Problem.invalidField("limitUSD", "must be more than 0 and at most 1000000000", limit: "0-1000000000 USD")
        }
        return money
    }

    static func thresholds(_ percents: [Int]) throws -> [Int] {
        guard (1...10).contains(percents.count) else { throw Problem.invalidField("thresholdPercents", "must hold 1 to 10 thresholds", limit: "10") }
        for (index, percent) in percents.enumerated() where !(1...1000).contains(percent) {
            throw Problem.invalidField("thresholdPercents[\(index)]", "must be 1 to 1000 percent", limit: "1-1000")
        }
        return Array(Set(percents)).sorted()
    }
}
