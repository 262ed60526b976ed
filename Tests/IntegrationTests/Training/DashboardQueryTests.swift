import CumulusAPI
import Foundation
import Testing

extension TrainingTests {
    /// Every panel of every Grafana dashboard in grafana/dashboards, evaluated against the real
    /// Prometheus after a small real job: no query may error or come back empty, and every
    /// `cumulus_*` metric a dashboard names must be exported (a panel that falls back to
    /// `or vector(0)` still needs its metric to exist).
    @Suite(.serialized) struct DashboardQueryTests {
        struct Dashboard: Decodable {
            struct Panel: Decodable {
                struct Target: Decodable { var expr: String? }
                var title: String
                var targets: [Target]?
            }
            var uid: String
            var panels: [Panel]
        }

        struct QueryAnswer: Decodable {
            struct Data: Decodable { var result: [Series] }
            struct Series: Decodable { var metric: [String: String] }
            var status: String
            var data: Data?
            var error: String?
        }

        static let folder = DigitsFederation.repository.appending(path: "grafana/dashboards")

        static func dashboards() throws -> [(file: String, dashboard: Dashboard)] {
            let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
            return try files.map { ($0, try JSONDecoder().decode(Dashboard.self, from: Data(contentsOf: folder.appending(path: $0)))) }
        }

        /// Grafana's variables, replaced as Grafana would for the last hour of every service.
        static func concrete(_ expression: String) -> String {
            expression.replacingOccurrences(of: "$__rate_interval", with: "1m")
                .replacingOccurrences(of: "$__range", with: "1h")
                .replacingOccurrences(of: "$job", with: ".*")
        }

        static func query(_ expression: String) async throws -> QueryAnswer {
            let prometheus = try TestEnvironment.prometheus()
            let encoded = expression.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? expression
            let answer = try await HTTPTestClient.send("\(prometheus)/api/v1/query?query=\(encoded)")
            return try JSONDecoder().decode(QueryAnswer.self, from: answer.body)
        }

        static func metricNames(_ expression: String) -> Set<String> {
            var names = Set<String>()
            var rest = Substring(expression)
            while let range = rest.range(of: "cumulus_") {
                let name = rest[range.lowerBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                names.insert(String(name))
                rest = rest[name.endIndex...]
            }
            return names
        }

        @Test func everyPanelQueryAnswersWithSeriesAfterARealJob() async throws {
            let dashboards = try Self.dashboards()
            #expect(Set(dashboards.map(\.dashboard.uid)).isSuperset(of: ["cumulus-platform", "cumulus-training", "cumulus-nodes", "cumulus-queues", "cumulus-costs"]))

            // What the panels show: a two-round job with evaluation, a node with a GPU, a
            // budget and some metered usage in the job's federation.
            let federation = try await DigitsFederation.start("dash", participants: 2)
            defer { federation.stop() }
            let fixture = federation.fixture
            var gpuNode = try await fixture.enrolInTest(participant: 0, hostname: "dash-gpu")
            gpuNode.token = try await gpuNode.freshToken()
            var telemetry = TestNode.telemetry()
            telemetry.gpus = [GPUTelemetry(index: 0, name: "test GPU", memoryTotalBytes: 16 << 30, memoryUsedBytes: 4 << 30, utilisationPercent: 37)]
            #expect(try await gpuNode.heartbeat(telemetry).status == 200)
            _ = try fixture.gateway.decode(BudgetView.self, try await fixture.gateway.send(
                .POST, "/api/v1/budgets", token: federation.ownerToken, json: NewBudget(federationId: fixture.federation.id, limitUSD: "5.00")), expect: 201)
            try await CostsTestSupport.publishUsage(MeteringTests.nodeHours(
                fixture.federation.id, eventId: "dash-\(UUID().uuidString)", start: "2026-01-05T10:00:00.000Z", end: "2026-01-05T12:00:00.000Z"))
            let job = try await federation.create(federation.job("dashboards", strategy: StrategySpec(name: "fedavg"), rounds: 2, evaluateEvery: 1))
            let finished = try await federation.waitForJob(job.id, limit: .seconds(300))
            try #require(finished.state == .succeeded, "the job must succeed: \(finished.error ?? "")")

            // Prometheus scrapes every few seconds and the gauges are set on the services'
            // own clocks: give every query a minute to have series, then report all that lack them.
            var failures: [String: String] = [:]
            let end = ContinuousClock.now + .seconds(90)
            repeat {
                failures = [:]
                for (file, dashboard) in dashboards {
                    for panel in dashboard.panels {
                        for expression in (panel.targets ?? []).compactMap(\.expr) {
                            let answer = try await Self.query(Self.concrete(expression))
                            if answer.status != "success" {
                                failures["\(file) “\(panel.title)”: \(expression)"] = "error: \(answer.error ?? "?")"
                            } else if answer.data?.result.isEmpty ?? true {
                                failures["\(file) “\(panel.title)”: \(expression)"] = "no series"
                            }
                            for name in Self.metricNames(expression) where (try await Self.query("count({__name__=\"\(name)\"})").data?.result.isEmpty ?? true) {
                                failures["\(file) “\(panel.title)”: metric \(name)"] = "not exported by any service"
                            }
                        }
                    }
                }
                if failures.isEmpty { break }
                try await Task.sleep(for: .seconds(3))
            } while ContinuousClock.now < end
            #expect(failures.isEmpty, "\(failures.sorted { $0.key < $1.key }.map { "\($0.key) → \($0.value)" }.joined(separator: "\n"))")

            // The values are the job's, not just any series: its accuracy and its participants.
            let accuracy = try await Self.query("cumulus_job_accuracy{job_id=\"\(job.id.uuidString.lowercased())\"}")
            #expect(accuracy.data?.result.count == 1)
            let selected = try await Self.query("cumulus_round_participants{job_id=\"\(job.id.uuidString.lowercased())\", state=\"accepted\"} == 2")
            #expect(selected.data?.result.count == 1, "both participants' updates were accepted in the last round")
            // Once the job is done its round is not open: the deadline series goes (RoundStalled
            // cannot fire for it) at the next tick and scrape.
            _ = try await CostsTestSupport.eventually("the finished job's deadline series to go", limit: .seconds(30)) { () -> Bool? in
                try await Self.query("cumulus_round_deadline_timestamp_seconds{job_id=\"\(job.id.uuidString.lowercased())\"}").data?.result.isEmpty == true ? true : nil
            }
        }

        @Test func metricNamesAreFoundInExpressions() {
            #expect(Self.metricNames("sum by (le) (rate(cumulus_round_duration_seconds_bucket[1m])) / cumulus_ready") ==
                    ["cumulus_round_duration_seconds_bucket", "cumulus_ready"])
            #expect(Self.metricNames("up") == [])
        }
    }
}
