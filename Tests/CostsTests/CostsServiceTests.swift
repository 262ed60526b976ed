import CostsCore
import CumulusAPI
import CumulusKit
import Foundation
import Hummingbird
import Logging
import PlacementCore
import PostgresNIO
import Prometheus
import Testing

@testable import CostsService

@Suite struct CostsServiceTests {
    @Test func everyCostsRouteIsDocumented() throws {
        let definition = CostsService.definition(settings: CostsSettings())
        let routes = try definition.registeredRoutes()
        #expect(routes.count >= 17)
        #expect(definition.openAPI.undocumented(routes) == [])
        // The gateway sends only these prefixes to costs.
        for route in routes {
            #expect(route.path.range(of: #"^/api/v1/(prices|latencies|costs|budgets|estimates)(/|$)"#, options: .regularExpression) != nil, "\(route.path)")
        }
    }

    @Test func orchestratorNodeHoursParseAsCostsCoreEvents() throws {
        let federation = UUID()
        // Exactly what Services/Orchestrator/Library/Background/Sweeper.swift writes.
        let fields = [
            "kind": "node-hours", "node": UUID().uuidString.lowercased(), "organisation": "org-a", "federation": federation.uuidString.lowercased(),
            "provider": "aws", "region": "eu-west-1", "instanceType": "", "vcpus": "4", "memoryBytes": String(16 << 30),
            "start": "2025-09-10T23:30:00.000Z", "end": "2025-09-11T00:30:00.000Z", "hours": "1.0", "eventId": "e-1", "source": "orchestrator",
        ]
        let parsed = try UsageEventParser.parse(fields, messageID: "1-0").get()
        #expect(parsed.federation == federation)
        #expect(parsed.source == "orchestrator")
        guard case let .nodeHours(usage) = parsed.event.usage else { Issue.record("not node-hours"); return }
        #expect(usage.region == RegionID(.aws, "eu-west-1"))
        #expect(usage.machine.instanceType == nil)
        #expect(usage.machine.resources == ResourceRequirement(vCPU: 4, memoryGB: 16))
        #expect(usage.interval.milliseconds == 3_600_000)
        #expect(usage.interval.start == Timestamp(year: 2025, month: 9, day: 10, hour: 23, minute: 30))
        // Priced against the default catalogue: the cheapest eu-west-1 offer with 4 vCPU / 16 GB,
        // split at midnight into two half hours.
        let priced = try #require(UsagePricer(catalogue: DefaultCatalogue.catalogue).price(parsed.event).priced)
        #expect(priced.lineItems.map(\.day.description) == ["2025-09-10", "2025-09-11"])
        #expect(priced.substitution?.substituteInstanceType == "m5.xlarge")
        #expect(priced.total == Money(nanoDollars: 214_000_000))
    }

    @Test func everyUsageKindParsesAndBadFieldsAreNamed() throws {
        let federation = UUID().uuidString
        let aggregator = try UsageEventParser.parse([
            "kind": "aggregator-hours", "federation": federation, "deployment": "d-1", "provider": "gcp", "region": "europe-west3",
            "instanceType": "n2-standard-4", "start": "2025-09-10T00:00:00Z", "end": "2025-09-10T02:00:00Z", "eventId": "a-1",
        ], messageID: "2-0").get()
        guard case let .aggregatorHours(usage) = aggregator.event.usage else { Issue.record("not aggregator-hours"); return }
        #expect(usage.machine.instanceType == "n2-standard-4" && usage.interval.milliseconds == 7_200_000)
        let transfer = try UsageEventParser.parse([
            "kind": "bytes-moved", "federation": federation, "provider": "aws", "region": "us-east-1", "destinationProvider": "gcp",
            "destinationRegion": "europe-west3", "bytes": "2000000000", "at": "2025-09-10T00:00:00.000Z", "eventId": "b-1",
        ], messageID: "3-0").get()
        guard case let .bytesMoved(moved) = transfer.event.usage else { Issue.record("not bytes-moved"); return }
        #expect(moved.destination == .region(RegionID(.gcp, "europe-west3")) && moved.bytes == 2_000_000_000 && moved.organisation == nil)
        let internet = try UsageEventParser.parse([
            "kind": "bytes-moved", "federation": federation, "provider": "aws", "region": "us-east-1", "destination": "internet",
            "bytes": "1", "at": "2025-09-10T00:00:00.000Z",
        ], messageID: "4-0").get()
        #expect(internet.event.id == "stream:4-0", "no eventId: the stream id stands in")
        guard case let .bytesMoved(out) = internet.event.usage else { Issue.record("not bytes-moved"); return }
        #expect(out.destination == .internet)

        func failure(_ change: [String: String?]) -> UsageEventParser.Failure? {
            var fields = ["kind": "node-hours", "federation": federation, "organisation": "o", "node": "n", "provider": "aws", "region": "us-east-1",
                          "instanceType": "m5.large", "start": "2025-09-10T00:00:00.000Z", "end": "2025-09-10T01:00:00.000Z", "eventId": "x"]
            for (key, value) in change { fields[key] = value }
            if case let .failure(failure) = UsageEventParser.parse(fields, messageID: "9-0") { return failure }
            return nil
        }
        #expect(failure([:]) == nil)
        #expect(failure(["federation": "not-a-uuid"])?.field == "federation")
        #expect(failure(["provider": "unknown"])?.code == "unknown-provider")
        #expect(failure(["start": "yesterday"])?.field == "start")
        #expect(failure(["kind": "gpu-hours"])?.code == "unknown-kind")
        #expect(failure(["instanceType": nil])?.field == "instanceType")
        #expect(failure(["instanceType": nil, "vcpus": "-2"])?.field == "vcpus")
        #expect(failure(["node": nil])?.code == "missing-field")
    }

    @Test func budgetAndEstimateInputsAreCheckedWithTheirLimits() throws {
        func field(_ body: () throws -> Void) -> String? {
            do { try body() } catch let problem as Problem { return problem.details.errors?.first?.field } catch { return "unexpected \(error)" }
            return nil
        }
        #expect(try BudgetController.limit("250.00") == Money(dollars: 250))
        #expect(field { _ = try BudgetController.limit("0") } == "limitUSD")
        #expect(field { _ = try BudgetController.limit("1e3") } == "limitUSD")
        #expect(field { _ = try BudgetController.limit("0.0000000001") } == "limitUSD")
        #expect(try BudgetController.thresholds([100, 50, 80, 50]) == [50, 80, 100])
        #expect(field { _ = try BudgetController.thresholds([]) } == "thresholdPercents")
        #expect(field { _ = try BudgetController.thresholds([50, 0]) } == "thresholdPercents[1]")

        let good = EstimateRequest(vcpus: 4, memoryGB: 16, hours: 720, participants: [RegionRef(provider: "aws", region: "us-east-1")], rounds: 10,
                                   modelBytes: 1_000_000)
        #expect(field { _ = try EstimateController.template(good) } == nil)
        var bad = good
        bad.hours = .infinity
        #expect(field { _ = try EstimateController.template(bad) } == "hours")
        bad = good
        bad.participants = [RegionRef(provider: "ibm", region: "x")]
        #expect(field { _ = try EstimateController.template(bad) } == "participants[0].provider")
        bad = good
        bad.residency = ["mars"]
        #expect(field { _ = try EstimateController.template(bad) } == "residency[0]")
        bad = good
        bad.modelBytes = -1
        #expect(field { _ = try EstimateController.template(bad) } == "modelBytes")
        #expect(try EstimateController.residency(["eu"]) == .europeanUnion)
        #expect(try EstimateController.residency(["europe"]) == .continents([.europe]))
    }

    @Test func costExplorerAmountsKeepNineDecimals() {
        #expect(CostsController.truncatedToNanos("0.0101516483") == "0.010151648")
        #expect(CostsController.truncatedToNanos("12.5") == "12.5")
        #expect(CostsController.truncatedToNanos("7") == "7")
    }

    @Test func settingsComeFromTheEnvironmentWithClearErrors() throws {
        let settings = try CostsSettings.fromEnvironment([
            "CUMULUS_COSTS_AZURE_PRICES_URL": "http://127.0.0.1:9/pricing/azure/api/retail/prices", "CUMULUS_COSTS_MAX_IMPORT_MEGABYTES": "4"])
        #expect(settings.azurePricesURL == "http://127.0.0.1:9/pricing/azure/api/retail/prices")
        #expect(settings.maxImportBytes == 4 << 20)
        #expect(throws: ConfigurationError.self) { try CostsSettings.fromEnvironment(["CUMULUS_COSTS_AWS_PRICE_LIST_URL": "ftp://x"]) }
    }
}
