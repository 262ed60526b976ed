import ArgumentParser
import CumulusAPI
import CumulusClient
import Foundation

private let none = Optional<String>.none

struct Federations: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Federations you belong to: list, show.", subcommands: [List.self, Show.self])

    struct List: AsyncParsableCommand {
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let federations = try await withSession { client in try await client.send(.GET, "/api/v1/federations", body: none, as: [Federation].self)! }
            if output.output == .json { return try printJSON(federations) }
            printTable(["ID", "NAME", "MEMBERS", "CREATED"], federations.map {
                [$0.id.uuidString.lowercased(), $0.name, "\($0.members.filter { $0.status == "active" }.count)", ISO8601DateFormatter().string(from: $0.createdAt)]
            })
        }
    }

    struct Show: AsyncParsableCommand {
        @Argument var id: String
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let federation = try await withSession { client in try await client.send(.GET, "/api/v1/federations/\(id)", body: none, as: Federation.self)! }
            if output.output == .json { return try printJSON(federation) }
            print("\(federation.name) (\(federation.id.uuidString.lowercased())), owned by \(federation.ownerOrganisationId.uuidString.lowercased())")
            printTable(["ORGANISATION", "STATUS"], federation.members.map { [$0.organisationId.uuidString.lowercased(), $0.status] })
        }
    }
}

struct Costs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "A federation's costs and budgets.", subcommands: [Show.self, Budgets.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Costs by component, provider and day (default: this month to date).")
        @Option var federation: String
        @Option(help: "First day, YYYY-MM-DD.") var from: String?
        @Option(help: "Last day, YYYY-MM-DD (inclusive).") var to: String?
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let query = [from.map { "from=\($0)" }, to.map { "to=\($0)" }].compactMap { $0 }
            let report = try await withSession { client in
                try await client.send(.GET, "/api/v1/costs/\(federation)" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")), body: none, as: CostReport.self)!
            }
            if output.output == .json { return try printJSON(report) }
            print("\(report.from) to \(report.to): \(report.total.usd) USD")
            for (title, amounts) in [("COMPONENT", report.byComponent), ("PROVIDER", report.byProvider), ("DAY", report.byDay)] where !amounts.isEmpty {
                print("")
                printTable([title, "USD"], amounts.map { [$0.key, $0.usd] })
            }
            if !report.unpriced.isEmpty {
                print("\nnot priced: " + report.unpriced.sorted { $0.key < $1.key }.map { "\($0.value) × \($0.key)" }.joined(separator: ", "))
            }
        }
    }

    struct Budgets: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Budgets with this period's spend and the thresholds that fired.")
        @Option var federation: String
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let budgets = try await withSession { client in
                try await client.send(.GET, "/api/v1/budgets?federationId=\(federation)", body: none, as: BudgetList.self)!.budgets
            }
            if output.output == .json { return try printJSON(budgets) }
            printTable(["ID", "PERIOD", "WINDOW", "LIMIT USD", "SPENT USD", "SPENT", "THRESHOLDS", "FIRED"], budgets.map { budget in
                [budget.id.uuidString.lowercased(), budget.period, "\(budget.windowStart)…\(budget.windowEnd)", budget.limitUSD, budget.spentUSD,
                 String(format: "%.0f%%", budget.spentRatio * 100), budget.thresholdPercents.map { "\($0)%" }.joined(separator: " "),
                 budget.firings.map { "\($0.thresholdPercent)%" }.joined(separator: " ")]
            })
        }
    }
}

struct Placement: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Aggregator placement: request a front, show one.", subcommands: [Request.self, Show.self])

    struct Request: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask where the aggregator should run, from a YAML or JSON spec (see `NewPlacement` in placement's /openapi.yaml).",
            discussion: "Prints the Pareto front as a table, the recommended, knee, cost-first and latency-first points, and the baselines with the savings.")
        @Option(help: "The spec file (.yaml, .yml or .json).") var file: String
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let spec = try SpecFile.decode(NewPlacement.self, from: file, what: "placement request")
            let placement = try await withSession { client in try await client.send(.POST, "/api/v1/placements", body: spec, as: PlacementView.self)! }
            if output.output == .json { return try printJSON(placement) }
            printPlacement(placement)
        }
    }

    struct Show: AsyncParsableCommand {
        @Argument var id: String
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let placement = try await withSession { client in try await client.send(.GET, "/api/v1/placements/\(id)", body: none, as: PlacementView.self)! }
            if output.output == .json { return try printJSON(placement) }
            printPlacement(placement)
        }
    }
}

/// The front, cheapest first, with the named points marked, then the baselines and savings.
func printPlacement(_ placement: PlacementView) {
    print("placement \(placement.id.uuidString.lowercased()): \(placement.front.count) Pareto-optimal options for \(placement.participants.count) participants "
          + "(\(placement.catalogue.offers) offers, \(placement.mode.rawValue))")
    let named: [(String, PlacementPointView?)] = [("recommended", placement.recommended), ("knee", placement.knee),
                                                  ("cost-first", placement.costFirst), ("latency-first", placement.latencyFirst)]
    func marks(_ point: PlacementPointView) -> String {
        named.filter { $0.1?.frontIndex != nil && $0.1?.frontIndex == point.frontIndex }.map(\.0).joined(separator: ", ")
    }
    func site(_ point: PlacementPointView) -> String {
        "\(point.site.provider) \(point.site.region) \(point.site.instanceType)" + (point.regional.map { " + \($0.count) regional" } ?? "")
    }
    printTable(["#", "AGGREGATOR", "USD/MONTH", "ROUND S", "SLOWEST", ""], placement.front.sorted { $0.monthlyCostUSD < $1.monthlyCostUSD }.map { point in
        [point.frontIndex.map(String.init) ?? "-", site(point), String(format: "%.2f", point.monthlyCostUSD), String(format: "%.2f", point.roundSeconds),
         "\(point.bottleneck.provider) \(point.bottleneck.region)", marks(point)]
    })
    guard !placement.baselines.isEmpty else { return }
    print("\nbaselines")
    printTable(["BASELINE", "AGGREGATOR", "USD/MONTH", "ROUND S"], placement.baselines.map { baseline in
        guard let option = baseline.option else { return [baseline.label, baseline.unavailable ?? "unavailable", "-", "-"] }
        return [baseline.label, site(option), String(format: "%.2f", option.monthlyCostUSD), String(format: "%.2f", option.roundSeconds)]
    })
    let recommended = placement.savings.filter { $0.point == "recommended" }
    if !recommended.isEmpty {
        print("\nthe recommended point against each baseline")
        printTable(["BASELINE", "COST USD/MONTH", "COST %", "ROUND S", "ROUND %"], recommended.map {
            [$0.baseline, String(format: "%+.2f", $0.costUSD), String(format: "%+.1f%%", $0.costPercent),
             String(format: "%+.2f", $0.roundSeconds), String(format: "%+.1f%%", $0.roundPercent)]
        })
    }
}

struct Approvals: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Requests waiting for a second person: list, approve, reject.",
                                                    subcommands: [List.self, Approve.self, Reject.self])

    struct List: AsyncParsableCommand {
        @Option(help: "pending, approved, rejected, expired or consumed (default: all).") var status: String?
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let approvals = try await withSession { client in
                try await client.send(.GET, "/api/v1/approvals" + (status.map { "?status=\($0)" } ?? ""), body: none, as: [Approval].self)!
            }
            if output.output == .json { return try printJSON(approvals) }
            printTable(["ID", "STATUS", "ACTION", "SUMMARY", "EXPIRES"], approvals.map {
                [$0.id.uuidString.lowercased(), $0.status, $0.action, $0.summary, ISO8601DateFormatter().string(from: $0.expiresAt)]
            })
        }
    }

    struct Approve: AsyncParsableCommand {
        @Argument var id: String
        @Option var reason: String?
        @OptionGroup var output: OutputOptions

        func run() async throws { try await decide(id, "approve", reason: reason, output: output) }
    }

    struct Reject: AsyncParsableCommand {
        @Argument var id: String
        @Option var reason: String
        @OptionGroup var output: OutputOptions

        func run() async throws { try await decide(id, "reject", reason: reason, output: output) }
    }

    static func decide(_ id: String, _ verb: String, reason: String?, output: OutputOptions) async throws {
        let approval = try await withSession { client in
            try await client.send(.POST, "/api/v1/approvals/\(id)/\(verb)", body: Decision(reason: reason), as: Approval.self)!
        }
        if output.output == .json { return try printJSON(approval) }
        print("approval \(approval.id.uuidString.lowercased()) is \(approval.status): \(approval.summary)")
    }
}
