import AsyncHTTPClient
import CloudClients
import CloudTestSupport
import CumulusAPI
import CumulusKit
import Foundation
import NIOCore
import PostgresNIO
import Testing

/// Usage on the stream priced into a federation's costs, budgets that fire each threshold once,
/// the AWS bill from Cost Explorer (moto), and tenancy. Prices come from the default OpenStack
/// flavours (d2-4 $0.022/h, b3-16 $0.17/h; egress to the internet $0.01/GB), which no import or
/// refresh in the suite touches.
@Suite struct MeteringTests {
    static func nodeHours(_ federation: UUID, eventId: String, region: String = "GRA11", instanceType: String = "", vcpus: Int = 4,
                          memoryGiB: Int64 = 16, start: String, end: String, provider: String = "openstack") -> [String: String] {
        ["kind": "node-hours", "node": UUID().uuidString.lowercased(), "organisation": "org-test", "federation": federation.uuidString.lowercased(),
         "provider": provider, "region": region, "instanceType": instanceType, "vcpus": String(vcpus), "memoryBytes": String(memoryGiB << 30),
         "start": start, "end": end, "hours": "0", "eventId": eventId, "source": "orchestrator"]
    }

    func report(_ federation: UUID, token: String, query: String = "") async throws -> CostReport {
        try CostsTestSupport.decode(CostReport.self, try await CostsTestSupport.gateway().send(.GET, "/api/v1/costs/\(federation)\(query)", token: token))
    }

    /// Waits until the service has stored `count` events of the federation (priced or not).
    func waitForEvents(_ federation: UUID, count: Int, token: String, span: String) async throws {
        _ = try await CostsTestSupport.eventually("\(count) usage events of \(federation)") { () -> Bool? in
            let items = try CostsTestSupport.decode(LineItemList.self, try await CostsTestSupport.gateway().send(
                .GET, "/api/v1/costs/\(federation)/line-items?\(span)", token: token))
            return Set(items.lineItems.map(\.eventId)).count + items.unpriced.count >= count ? true : nil
        }
    }

    @Test func usageOnTheStreamIsPricedIntoTheFederationsCosts() async throws {
        let fixture = try await FederationFixture.make("metering", participants: 1)
        let federation = fixture.federation.id
        let token = fixture.participants[0].adminToken
        let node = UUID().uuidString
        // As the orchestrator writes it: no instance type, 4 vCPU / 16 GiB → the cheapest GRA11
        // flavour of that size (b3-16, $0.17/h), across midnight: half an hour on each day.
        try await CostsTestSupport.publishUsage(Self.nodeHours(federation, eventId: "nh-\(node)", start: "2025-09-10T23:30:00.000Z", end: "2025-09-11T00:30:00.000Z"))
        // An aggregator on d2-4 in DE1 for 3 h: 3 × $0.022.
        try await CostsTestSupport.publishUsage([
            "kind": "aggregator-hours", "deployment": "dep-1", "federation": federation.uuidString, "provider": "openstack", "region": "DE1",
            "instanceType": "d2-4", "start": "2025-09-11T01:00:00Z", "end": "2025-09-11T04:00:00Z", "eventId": "ag-\(node)", "source": "placement"])
        // 5 GB from GRA11 to the internet at $0.01/GB.
        try await CostsTestSupport.publishUsage([
            "kind": "bytes-moved", "federation": federation.uuidString, "organisation": "org-test", "provider": "openstack", "region": "GRA11",
            "destination": "internet", "bytes": "5000000000", "at": "2025-09-11T02:00:00.000Z", "eventId": "bm-\(node)", "source": "coordinator"])
        // A node the orchestrator could not place ("unknown" provider): stored with its reason, not billed.
        try await CostsTestSupport.publishUsage(Self.nodeHours(federation, eventId: "bad-\(node)", start: "2025-09-11T00:00:00.000Z",
                                                               end: "2025-09-11T01:00:00.000Z", provider: "unknown"))
        // The same node-hours again (an outbox republished it): counted once.
        try await CostsTestSupport.publishUsage(Self.nodeHours(federation, eventId: "nh-\(node)", start: "2025-09-10T23:30:00.000Z", end: "2025-09-11T00:30:00.000Z"))
        try await waitForEvents(federation, count: 4, token: token, span: "from=2025-09-10&to=2025-09-11")
        // The duplicate was the last one written; wait until the consumer has passed it too.
        _ = try await CostsTestSupport.eventually("the usage stream to be consumed") { () -> Bool? in
            let pending = try await RedisPoolProbe.pending()
            return pending == 0 ? true : nil
        }

        let costs = try await report(federation, token: token, query: "?from=2025-09-10&to=2025-09-11")
        let rows = costs.rows.map { "\($0.day) \($0.provider):\($0.region) \($0.component) \($0.nanoDollars)" }
        #expect(rows == [
            "2025-09-10 openstack:GRA11 participants 85000000",
            "2025-09-11 openstack:DE1 aggregator 66000000",
            "2025-09-11 openstack:GRA11 dataTransfer 50000000",
            "2025-09-11 openstack:GRA11 participants 85000000",
        ])
        #expect(costs.total.nanoDollars == 286_000_000 && costs.total.usd == "0.286")
        #expect(costs.byComponent.map { "\($0.key)=\($0.nanoDollars)" } == ["aggregator=66000000", "dataTransfer=50000000", "participants=170000000"])
        #expect(costs.byDay.map(\.nanoDollars) == [85_000_000, 201_000_000])
        #expect(costs.byProvider.map(\.key) == ["openstack"])
        #expect(costs.unpriced == ["unknown-provider": 1])
        let items = try CostsTestSupport.decode(LineItemList.self, try await CostsTestSupport.gateway().send(
            .GET, "/api/v1/costs/\(federation)/line-items?from=2025-09-10&to=2025-09-11", token: token))
        let participant = try #require(items.lineItems.first { $0.eventId == "nh-\(node)" })
        #expect(participant.instanceType == "b3-16" && participant.rateNanoDollars == 170_000_000 && participant.quantity == 1_800_000)
        #expect(participant.substitution?.contains("b3-16") == true)
        #expect(items.unpriced.map(\.eventId) == ["bad-\(node)"])

        // The cost gauge for the dashboard (scraped from the service directly; the gateway never exposes /metrics).
        let metrics = try await HTTPTestClient.send(try TestEnvironment.serviceURL(.costs) + "/metrics").text
        #expect(metrics.contains("cumulus_cost_usd_total{federation=\"\(federation.uuidString.lowercased())\",provider=\"openstack\",component=\"participants\"} 0.17"),
                "\(metrics.split(separator: "\n").filter { $0.contains("cumulus_cost_usd_total") }.prefix(5))")
    }

    @Test func eachBudgetThresholdFiresExactlyOnce() async throws {
        let fixture = try await FederationFixture.make("budget", participants: 1)
        let federation = fixture.federation.id
        let token = fixture.participants[0].adminToken
        let gateway = try CostsTestSupport.gateway()
        let budget = try CostsTestSupport.decode(BudgetView.self, try await gateway.send(
            .POST, "/api/v1/budgets", token: token, json: NewBudget(federationId: federation, limitUSD: "1.00")), expect: 201)
        #expect(budget.thresholdPercents == [50, 80, 100] && budget.period == "monthly" && budget.firings.isEmpty)

        // b3-16 at $0.17/h, today: 2 h (34 %), 1 h (51 %), the same 1 h again, 2 h (85 %), 1 h (102 %), 1 h (119 %).
        let today = CostsTestSupport.today()
        let hours = [(id: "h1", from: 0, to: 2), (id: "h2", from: 2, to: 3), (id: "h2", from: 2, to: 3), (id: "h3", from: 3, to: 5),
                     (id: "h4", from: 5, to: 6), (id: "h5", from: 6, to: 7)]
        var distinct = 0
        var seen: Set<String> = []
        for event in hours {
            let id = "\(event.id)-\(federation)"
            try await CostsTestSupport.publishUsage(Self.nodeHours(
                federation, eventId: id, instanceType: "b3-16", start: today + String(format: "T%02d:00:00.000Z", event.from),
                end: today + String(format: "T%02d:00:00.000Z", event.to)))
            if seen.insert(id).inserted { distinct += 1 }
            try await waitForEvents(federation, count: distinct, token: token, span: "from=\(today)&to=\(today)")
        }
        _ = try await CostsTestSupport.eventually("the usage stream to be consumed") { try await RedisPoolProbe.pending() == 0 ? true : nil }

        let after = try CostsTestSupport.decode(BudgetView.self, try await gateway.send(.GET, "/api/v1/budgets/\(budget.id)", token: token))
        #expect(after.spentNanoDollars == 1_190_000_000 && after.spentUSD == "1.19")
        #expect(after.firings.map(\.thresholdPercent) == [50, 80, 100])
        #expect(after.firings.map(\.triggeringEventId) == ["h2-\(federation)", "h3-\(federation)", "h4-\(federation)"])
        #expect(after.firings.map(\.spentNanoDollars) == [510_000_000, 850_000_000, 1_020_000_000])

        // One event per threshold on cumulus.budgets and one audit entry each, published from the outbox.
        let budgetID = budget.id.uuidString.lowercased()
        let events = try await CostsTestSupport.eventually("three budget events") { () -> [[String: String]]? in
            let events = try await CostsTestSupport.entries(BudgetStream.name).map(\.fields).filter { $0["budgetId"] == budgetID }
            return events.count >= 3 ? events : nil
        }
        #expect(events.map { $0["thresholdPercent"] } == ["50", "80", "100"])
        #expect(events.allSatisfy { $0["federation"] == federation.uuidString.lowercased() && $0["limitUSD"] == "1.00" })
        let audits = try await CostsTestSupport.eventually("three audit entries") { () -> [[String: String]]? in
            let audits = try await CostsTestSupport.entries("cumulus.audit").map(\.fields).filter { $0["target"] == "budget:\(budgetID)" }
            return audits.count >= 3 ? audits : nil
        }
        #expect(audits.count == 3 && audits.allSatisfy { $0["action"] == "budgets:threshold-reached" && $0["service"] == "costs" })

        // The gauge: spend over limit in the current period.
        let metrics = try await HTTPTestClient.send(try TestEnvironment.serviceURL(.costs) + "/metrics").text
        #expect(metrics.contains("cumulus_budget_spent_ratio{federation=\"\(federation.uuidString.lowercased())\",budget=\"\(budgetID)\"} 1.19"))

        // Raising the limit fires nothing again; a new budget already over its thresholds fires them at once, once.
        let raised = try CostsTestSupport.decode(BudgetView.self, try await gateway.send(
            .PUT, "/api/v1/budgets/\(budget.id)", token: token, json: BudgetChange(limitUSD: "10")))
        #expect(raised.firings.count == 3 && raised.limitUSD == "10.00")
        let second = try CostsTestSupport.decode(BudgetView.self, try await gateway.send(
            .POST, "/api/v1/budgets", token: token, json: NewBudget(federationId: federation, limitUSD: "2", thresholdPercents: [50, 100])), expect: 201)
        #expect(second.firings.map(\.thresholdPercent) == [50])
        let list = try CostsTestSupport.decode(BudgetList.self, try await gateway.send(.GET, "/api/v1/budgets?federationId=\(federation)", token: token))
        #expect(Set(list.budgets.map(\.id)) == [budget.id, second.id])

        // Bad input names the field and the limit.
        #expect(try CostsTestSupport.problemField(try await gateway.send(.POST, "/api/v1/budgets", token: token,
                                                                        json: NewBudget(federationId: federation, limitUSD: "-5"))) == "limitUSD")
        #expect(try CostsTestSupport.problemField(try await gateway.send(.POST, "/api/v1/budgets", token: token,
                                                                        json: NewBudget(federationId: federation, limitUSD: "5", thresholdPercents: [5000]))) == "thresholdPercents[0]")
        #expect(try CostsTestSupport.problemField(try await gateway.send(.POST, "/api/v1/budgets", token: token,
                                                                        json: NewBudget(federationId: federation, limitUSD: "5", period: "hourly"))) == "period")
        let garbage = try await CostsTestSupport.send(.POST, "/api/v1/budgets", token: token, body: Data("{\"federationId\": 7".utf8),
                                                      contentType: "application/json")
        #expect(garbage.status == 400 && garbage.header("content-type") == "application/problem+json")
        #expect(try CostsTestSupport.problemField(try await gateway.send(.GET, "/api/v1/costs/\(federation)?from=2025-13-01", token: token)) == "from")
        #expect(try CostsTestSupport.problemField(try await gateway.send(.GET, "/api/v1/costs/not-a-federation", token: token)) == "federationId")
        #expect(try CostsTestSupport.problemField(try await gateway.send(.GET, "/api/v1/costs/\(federation)?from=2020-01-01&to=2025-01-01", token: token)) == "from")

        #expect(try await gateway.send(.DELETE, "/api/v1/budgets/\(second.id)", token: token).status == 204)
        #expect(try await gateway.send(.GET, "/api/v1/budgets/\(second.id)", token: token).status == 404)
    }

    @Test func anotherTenantSeesNoCostsOrBudgets() async throws {
        let fixture = try await FederationFixture.make("owner", participants: 1)
        let federation = fixture.federation.id
        let token = fixture.participants[0].adminToken
        let gateway = try CostsTestSupport.gateway()
        let budget = try CostsTestSupport.decode(BudgetView.self, try await gateway.send(
            .POST, "/api/v1/budgets", token: token, json: NewBudget(federationId: federation, limitUSD: "123.45")), expect: 201)
        let foreign = try await gateway.makeTenant("foreign", adminToken: fixture.platformToken)
        let sync = #"{"credentialId":"\#(UUID())","start":"2025-09-01","end":"2025-09-02"}"#
        try await TenancyProbe.assertCrossTenantDenied(base: try TestEnvironment.gateway(), endpoints: [
            .init(method: .GET, path: "/api/v1/costs/\(federation)"),
            .init(method: .GET, path: "/api/v1/costs/\(federation)/line-items"),
            .init(method: .GET, path: "/api/v1/costs/\(federation)/billing"),
            .init(method: .POST, path: "/api/v1/costs/\(federation)/billing/aws", body: sync),
            .init(method: .GET, path: "/api/v1/budgets?federationId=\(federation)"),
            .init(method: .GET, path: "/api/v1/budgets/\(budget.id)"),
            .init(method: .PUT, path: "/api/v1/budgets/\(budget.id)", body: #"{"limitUSD":"1"}"#),
            .init(method: .DELETE, path: "/api/v1/budgets/\(budget.id)"),
            .init(method: .POST, path: "/api/v1/budgets", body: #"{"federationId":"\#(federation)","limitUSD":"1"}"#),
        ], foreignToken: foreign.adminToken, secrets: ["123.45"])
        // The budget is untouched, and anonymous callers are told to authenticate.
        let still = try CostsTestSupport.decode(BudgetView.self, try await gateway.send(.GET, "/api/v1/budgets/\(budget.id)", token: token))
        #expect(still.limitUSD == "123.45")
        #expect(try await gateway.send(.GET, "/api/v1/costs/\(federation)").status == 401)
        // The catalogue is readable by any organisation's members; importing needs the platform.
        #expect(try await gateway.send(.GET, "/api/v1/prices?limit=1", token: foreign.adminToken).status == 200)
        let importAnswer = try await CostsTestSupport.send(.POST, "/api/v1/prices/import", token: foreign.adminToken, body: Data("x".utf8))
        #expect(importAnswer.status == 403)
    }

    @Test func theAWSBillComesFromCostExplorerGroupedByTheFederationTag() async throws {
        let fixture = try await FederationFixture.make("billing", participants: 1)
        let federation = fixture.federation.id.uuidString.lowercased()
        let token = fixture.participants[0].adminToken
        let identities = try await MotoIdentities.shared()
        let moto = try CloudTestEnvironment.motoURL()
        // Inject what Cost Explorer will answer: two days, our tag and another federation's.
        let results: [String: Any] = ["results": [[
            "ResultsByTime": [
                ["TimePeriod": ["Start": "2025-09-01", "End": "2025-09-02"], "Total": [:], "Estimated": false, "Groups": [
                    ["Keys": ["cumulus:federation$\(federation)"], "Metrics": ["UnblendedCost": ["Amount": "12.3456789012", "Unit": "USD"]]],
                    ["Keys": ["cumulus:federation$someone-else"], "Metrics": ["UnblendedCost": ["Amount": "99", "Unit": "USD"]]],
                ]],
                ["TimePeriod": ["Start": "2025-09-02", "End": "2025-09-03"], "Total": [:], "Estimated": true, "Groups": [
                    ["Keys": ["cumulus:federation$\(federation)"], "Metrics": ["UnblendedCost": ["Amount": "0.5", "Unit": "USD"]]],
                ]],
            ],
            "DimensionValueAttributes": [],
        ]]]
        var inject = HTTPClientRequest(url: moto + "/moto-api/static/ce/cost-and-usage-results")
        inject.method = .POST
        inject.headers.add(name: "Content-Type", value: "application/json")
        inject.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: results)))
        let injected = try await CloudTestEnvironment.http.execute(inject, timeout: .seconds(30))
        #expect(injected.status.code == 201)

        let gateway = try CostsTestSupport.gateway()
        let tenant = fixture.participants[0]
        func stored(_ key: AWSCredentialInput, label: String, in tenant: GovernanceClient.Tenant) async throws -> UUID {
            try gateway.decode(CloudCredential.self, try await CredentialTests.upload(gateway, tenant, provider: "aws", label: label, key), expect: 201).id
        }
        func sync(_ credential: UUID, start: String = "2025-09-01", end: String = "2025-09-03") async throws -> HTTPTestClient.Answer {
            try await gateway.send(.POST, "/api/v1/costs/\(federation)/billing/aws", token: token,
                                   json: AWSBillingSyncRequest(credentialId: credential, start: start, end: end))
        }
        // A key that STS accepts (so governance stores it) but whose user may not read bills:
        // AWS's refusal is passed on, and nothing is stored.
        let refused = try await sync(try await stored(identities.userKey, label: "no-billing", in: tenant))
        #expect(refused.status == 422, "\(refused.text)")
        #expect(refused.text.contains("ce:GetCostAndUsage"), "\(refused.text)")
        // Another organisation's credential, or one that does not exist, is not within reach.
        let foreign = try await gateway.makeTenant("billforeign", adminToken: fixture.platformToken)
        for credential in [try await stored(identities.billingKey, label: "theirs", in: foreign), UUID()] {
            #expect(try CostsTestSupport.problemField(try await sync(credential)) == "credentialId")
        }
        #expect(try gateway.decode(BillingReport.self, try await gateway.send(.GET, "/api/v1/costs/\(federation)/billing", token: token), expect: 200).days.isEmpty)

        let billing = try await stored(identities.billingKey, label: "billing", in: tenant)
        let bill = try CostsTestSupport.decode(BillingReport.self, try await sync(billing))
        #expect(bill.tagKey == "cumulus:federation")
        #expect(bill.days.map { "\($0.day) \($0.nanoDollars) \($0.estimated)" } == ["2025-09-01 12345678901 false", "2025-09-02 500000000 true"])
        #expect(bill.total.nanoDollars == 12_845_678_901)
        let storedBill = try CostsTestSupport.decode(BillingReport.self, try await gateway.send(.GET, "/api/v1/costs/\(federation)/billing", token: token))
        #expect(storedBill.days == bill.days)
        #expect(!storedBill.days.contains { $0.nanoDollars == 99_000_000_000 }, "another federation's tag is not ours")

        // Each use of the secret is audited: the costs service, and the person it acted for.
        let uses = try await withPostgres(try TestEnvironment.superuserDatabase()) { superuser in
            var rows: [String] = []
            for try await (actor, details) in try await superuser.query(
                "SELECT actor, details::text FROM governance.audit_log WHERE action = 'credentials:use' AND target = \("credential:" + billing.uuidString.lowercased())"
            ).decode((String, String).self) { rows.append(actor + " " + details) }
            return rows
        }
        #expect(uses.count == 1 && uses[0].hasPrefix("service:") && uses[0].contains(tenant.adminID.uuidString.lowercased()), "\(uses)")

        // The unsealing endpoint is the services' alone: the gateway does not route it, and
        // governance refuses a person even when asked directly.
        let use = CredentialUse(purpose: "test", onBehalfOf: "me")
        #expect(try await gateway.send(.POST, "/internal/v1/credentials/\(billing)/secret", token: fixture.platformToken, json: use).status == 404)
        let direct = try GovernanceClient.direct()
        _ = try direct.problem(try await direct.send(.POST, "/internal/v1/credentials/\(billing)/secret", token: fixture.platformToken, json: use), status: 403)

        let backwards = try await sync(billing, start: "2025-09-03", end: "2025-09-01")
        #expect(try CostsTestSupport.problemField(backwards) == "end")
    }
}

/// How many `cumulus.usage` messages the costs group has read but not acknowledged, plus those
/// not yet read (`lag`, Redis 7): zero once the service has consumed everything written so far.
enum RedisPoolProbe {
    static func pending() async throws -> Int {
        let pool = RedisPool(url: try TestEnvironment.redis(), maximumConnections: 1)
        let groups = try await pool.send("XINFO", "GROUPS", UsageStream.name)
        for group in groups.array ?? [] {
            guard let flat = group.array else { continue }
            var fields: [String: RedisReply] = [:]
            var index = 0
            while index + 1 < flat.count {
                if let key = flat[index].string { fields[key] = flat[index + 1] }
                index += 2
            }
            guard fields["name"]?.string == UsageStream.costsGroup else { continue }
            // A null lag means Redis cannot tell; count it as work left.
            let lag = fields["lag"].map { $0.isNull ? 1 : Int($0.integer ?? 1) } ?? 0
            return Int(fields["pending"]?.integer ?? 0) + lag
        }
        return 1
    }
}
