import CloudTestSupport
import CumulusAPI
import Foundation
import SharedDataSupport
import Testing

/// The catalogue through the gateway: the shared tables imported (row counts, the byte-order
/// mark, malformed rows by line, idempotent re-import), live refreshes from the local replays of
/// the providers' price APIs, and the estimate wizard over the result. Serialized: each test
/// changes the one catalogue the suite shares, and later ones build on earlier ones.
@Suite(.serialized) struct CatalogueTests {
    static let aws = "cloud_price_AWS.csv"
    static let gcp = "cloud_price_GCP.csv"
    static let latency = "latency_results.csv"

    func admin() async throws -> String { try await CostsTestSupport.gateway().adminToken() }

    func prices(_ query: String, token: String) async throws -> PriceList {
        try CostsTestSupport.decode(PriceList.self, try await CostsTestSupport.gateway().send(.GET, "/api/v1/prices?\(query)", token: token))
    }

    @Test func theSharedPriceListsImportWithEveryRowAccountedFor() async throws {
        let token = try await admin()
        for (file, provider) in [(Self.aws, "aws"), (Self.gcp, "gcp")] {
            let data = try SharedData.data(file)
            let lines = CostsTestSupport.dataLines(data)
            let answer = try await CostsTestSupport.send(.POST, "/api/v1/prices/import?file=\(file)", token: token, body: data)
            let report = try CostsTestSupport.decode(ImportReport.self, answer)
            // Every data line is either accepted or reported by line; none silently dropped.
            #expect(report.acceptedRows + report.issues.count == lines.count, "\(file): \(report.acceptedRows) + \(report.issues.count) != \(lines.count)")
            #expect(report.acceptedRows > lines.count * 9 / 10, "\(file): most rows are good data")
            for issue in report.issues { #expect((2...(lines.count + 1)).contains(issue.line), "\(file): \(issue)") }
            // The provider's stored list is now exactly the file's good rows.
            let stored = try await prices("provider=\(provider)&limit=1", token: token)
            #expect(stored.total == report.acceptedRows, "\(file)")
            #expect(report.version.offerCount == stored.version.offerCount)
        }
        #expect(CostsTestSupport.dataLines(try SharedData.data(Self.aws)).count == 6074)
        #expect(CostsTestSupport.dataLines(try SharedData.data(Self.gcp)).count == 1209)
        // The AWS file starts with a byte-order mark: its header was read (else the import would
        // be a 400 naming cloud_name) and its first data row is stored as written.
        #expect(try SharedData.data(Self.aws).prefix(3) == Data([0xEF, 0xBB, 0xBF]))
        let first = try await prices("provider=aws&region=ap-northeast-2&instanceType=x2iedn.4xlarge", token: token)
        #expect(first.prices.map(\.hourlyUSD) == ["4.83525"])
        #expect(first.prices.first?.vcpus == 16 && first.prices.first?.memoryGB == 512 && first.prices.first?.source == "csv:\(Self.aws)")
        let gcpFirst = try await prices("provider=gcp&region=asia-northeast1&instanceType=a2-highgpu-1g", token: token)
        #expect(gcpFirst.prices.map(\.hourlyUSD) == ["0.948031"])
    }

    @Test func reimportingTheSameListsChangesNothing() async throws {
        let token = try await admin()
        for file in [Self.aws, Self.gcp] {
            let data = try SharedData.data(file)
            let before = try await prices("limit=1", token: token).version
            let report = try CostsTestSupport.decode(ImportReport.self, try await CostsTestSupport.send(.POST, "/api/v1/prices/import?file=\(file)", token: token, body: data))
            #expect(!report.changedAnything && report.added == 0 && report.changed == 0 && report.removed == 0, "\(file)")
            #expect(report.version == before, "\(file): the version stays")
            #expect(try await prices("limit=1", token: token).version == before)
        }
    }

    @Test func theLatencyMatrixImportsAndAveragesBothDirections() async throws {
        let token = try await admin()
        let data = try SharedData.data(Self.latency)
        let lines = CostsTestSupport.dataLines(data)
        #expect(lines.count == 600)
        let report = try CostsTestSupport.decode(ImportReport.self, try await CostsTestSupport.send(
            .POST, "/api/v1/latencies/import?file=\(Self.latency)", token: token, body: data))
        #expect(report.acceptedRows + report.ignoredRows + report.issues.count == 600)
        // Reference: the mean of every successful measurement of the pair, either direction, read here.
        var sum = 0.0, count = 0
        for line in lines {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let pair = Set(["\(f[1].lowercased()):\(f[2])", "\(f[4].lowercased()):\(f[5])"])
            if pair == Set(["aws:us-east-1", "aws:us-west-1"]), f[7].lowercased() == "true", let rtt = Double(f[8]) { sum += rtt; count += 1 }
        }
        #expect(count == 2)
        let list = try CostsTestSupport.decode(LatencyList.self, try await CostsTestSupport.gateway().send(
            .GET, "/api/v1/latencies?provider=aws&region=us-west-1&limit=1000", token: token))
        let measured = try #require(list.latencies.first { Set([$0.a.region, $0.b.region]) == Set(["us-east-1", "us-west-1"]) && $0.a.provider == "aws" && $0.b.provider == "aws" })
        #expect(abs(measured.rttMilliseconds - sum / Double(count)) < 1e-9)
        #expect(measured.measurements == 2 && measured.source == "csv:\(Self.latency)")
        let again = try CostsTestSupport.decode(ImportReport.self, try await CostsTestSupport.send(
            .POST, "/api/v1/latencies/import?file=\(Self.latency)", token: token, body: data))
        #expect(!again.changedAnything && again.version == report.version)
    }

    @Test func malformedRowsAreReportedByLine() async throws {
        let token = try await admin()
        let csv = """
            cloud_name,region_name,instance_type,vcpu_count,memory_gb,on_demand_price
            AWS,us-east-1,test.small,2,4,0.05
            AWS,us-east-1,test.broken,2,4
            AWS,us-east-1,test.words,2,4,abc

            IBM,us-south,bx2-2x8,2,8,0.1
            AWS,us-east-1,test.small,2,4,0.06
            AWS,us-east-1,test.large,4,16,0.2
            """
        let before = try await prices("limit=1", token: token).version
        let report = try CostsTestSupport.decode(ImportReport.self, try await CostsTestSupport.send(
            .POST, "/api/v1/prices/import?file=broken.csv&replace=none&dryRun=true", token: token, body: Data(csv.utf8)))
        #expect(report.dryRun && report.acceptedRows == 2)
        #expect(report.issues.map(\.line) == [3, 4, 6, 7])
        #expect(report.issues[0].reason.contains("expected 6 fields, found 5"))
        #expect(report.issues[1].reason.contains("on_demand_price"))
        #expect(report.issues[2].reason.contains("IBM"))
        #expect(report.issues[3].reason.contains("line 2"))
        #expect(report.added == 2, "what the import would add")
        // A dry run writes nothing.
        #expect(try await prices("limit=1", token: token).version == before)
        #expect(try await prices("instanceType=test.small", token: token).total == 0)

        // A file without the columns is refused naming them; so is a bad query.
        let headerless = try await CostsTestSupport.send(.POST, "/api/v1/prices/import", token: token, body: Data("a,b\n1,2\n".utf8))
        #expect(try CostsTestSupport.problemField(headerless) == "body")
        #expect(headerless.text.contains("cloud_name"))
        let badReplace = try await CostsTestSupport.send(.POST, "/api/v1/prices/import?replace=all", token: token, body: Data(csv.utf8))
        #expect(try CostsTestSupport.problemField(badReplace) == "replace")
    }

    @Test func largeImportsPassTheGatewayWhereOtherBodiesAreLimited() async throws {
        let token = try await admin()
        // 2 MiB of rows: over the gateway's 1 MiB default, under the import paths' 16 MiB.
        var csv = "cloud_name,region_name,instance_type,vcpu_count,memory_gb,on_demand_price\n"
        var rows = 0
        while csv.utf8.count < 2 << 20 {
            csv += "AWS,us-east-1,bulk.type\(rows),2,4,0.\(String(format: "%06d", rows % 999_999 + 1))\n"
            rows += 1
        }
        let answer = try await CostsTestSupport.send(.POST, "/api/v1/prices/import?file=bulk.csv&replace=none&dryRun=true", token: token, body: Data(csv.utf8))
        let report = try CostsTestSupport.decode(ImportReport.self, answer)
        #expect(report.acceptedRows == rows && report.issues.isEmpty)
        let budget = try await CostsTestSupport.send(.POST, "/api/v1/budgets", token: token, body: Data(csv.utf8), contentType: "application/json")
        #expect(budget.status == 413)
    }

    @Test func azureRetailPricesAreFollowedAcrossPages() async throws {
        let token = try await admin()
        let path = "/pricing/azure/api/retail/prices"
        let requestsBefore = try await CloudTestEnvironment.peerRequestCount(path: path)
        let report = try CostsTestSupport.decode(ImportReport.self, try await CostsTestSupport.gateway().send(
            .POST, "/api/v1/prices/refresh", token: token, json: PriceRefreshRequest(provider: "azure")))
        // 7 replayed items, two per page: four pages, all read.
        #expect(try await CloudTestEnvironment.peerRequestCount(path: path) - requestsBefore == 4)
        // Linux pay-as-you-go hours of sizes the catalogue knows; Windows, spot, low priority and
        // the unknown Standard_X999 are not prices of ours.
        #expect(report.acceptedRows == 3 && report.ignoredRows == 4)
        #expect(report.source == "azure-retail-prices")
        let d2 = try await prices("provider=azure&region=westeurope&instanceType=Standard_D2s_v5", token: token).prices.first
        #expect(d2?.hourlyUSD == "0.115" && d2?.source == "azure-retail-prices" && d2?.effectiveDate == "2024-03-01")
        let d4 = try await prices("provider=azure&region=eastus&instanceType=Standard_D4s_v5", token: token).prices.first
        #expect(d4?.hourlyUSD == "0.20" && d4?.effectiveDate == "2024-05-01")
        #expect(try await prices("instanceType=Standard_X999", token: token).total == 0)
    }

    @Test func awsPriceListFilesGivePlainLinuxOnDemandPrices() async throws {
        let token = try await admin()
        let report = try CostsTestSupport.decode(ImportReport.self, try await CostsTestSupport.gateway().send(
            .POST, "/api/v1/prices/refresh", token: token, json: PriceRefreshRequest(provider: "aws", regions: ["us-east-1"])))
        // m5.large, m5.xlarge, m7i.large; not Windows, not dedicated, not the product without a price.
        #expect(report.acceptedRows == 3 && report.ignoredRows == 3)
        let xlarge = try await prices("provider=aws&region=us-east-1&instanceType=m5.xlarge", token: token).prices.first
        #expect(xlarge?.hourlyUSD == "0.201" && xlarge?.source == "aws-price-list" && xlarge?.effectiveDate == "2025-08-01")
        #expect(try await prices("provider=aws&region=us-east-1&instanceType=m5.large", token: token).prices.first?.hourlyUSD == "0.096")
        #expect(try await prices("provider=aws&region=us-east-1&instanceType=m7i.large", token: token).prices.first?.hourlyUSD == "0.1008")

        // A region the price list does not have: the provider's refusal, as a 502 naming it.
        let missing = try await CostsTestSupport.gateway().send(.POST, "/api/v1/prices/refresh", token: token,
                                                                json: PriceRefreshRequest(provider: "aws", regions: ["eu-north-9"]))
        #expect(missing.status == 502 && missing.text.contains("AccessDenied"), "\(missing.text)")
        let noRegion = try await CostsTestSupport.gateway().send(.POST, "/api/v1/prices/refresh", token: token, json: PriceRefreshRequest(provider: "aws"))
        #expect(try CostsTestSupport.problemField(noRegion) == "regions")
        let unknown = try await CostsTestSupport.gateway().send(.POST, "/api/v1/prices/refresh", token: token, json: PriceRefreshRequest(provider: "ibm"))
        #expect(try CostsTestSupport.problemField(unknown) == "provider")
    }

    @Test func gcpSkuRatesPriceMachineTypesByCoreAndMemory() async throws {
        let token = try await admin()
        let report = try CostsTestSupport.decode(ImportReport.self, try await CostsTestSupport.gateway().send(
            .POST, "/api/v1/prices/refresh", token: token, json: PriceRefreshRequest(provider: "gcp", regions: ["europe-west3"])))
        #expect(report.acceptedRows > 0 && report.source == "gcp-billing-catalog")
        // On-demand N2 rates of the replay: 0.037887 per vCPU-hour, 0.005078 per GiB-hour
        // (the preemptible core SKU must not be used): 4 × 0.037887 + 16 × 0.005078.
        let n2 = try await prices("provider=gcp&region=europe-west3&instanceType=n2-standard-4", token: token).prices.first
        #expect(n2?.hourlyUSD == "0.232796" && n2?.source == "gcp-billing-catalog")
        // E2: 2 × 0.021811 + 8 × 0.002923.
        #expect(try await prices("provider=gcp&region=europe-west3&instanceType=e2-standard-2", token: token).prices.first?.hourlyUSD == "0.067006")
    }

    @Test func theEstimateRanksEveryRegionAndAgreesWithTheCatalogue() async throws {
        let token = try await admin()
        let request = EstimateRequest(
            vcpus: 4, memoryGB: 16, hours: 720,
            participants: [RegionRef(provider: "aws", region: "eu-central-1"), RegionRef(provider: "gcp", region: "europe-west3"),
                           RegionRef(provider: "aws", region: "us-east-1")],
            rounds: 200, modelBytes: 250_000_000, residency: ["europe"])
        let estimate = try CostsTestSupport.decode(EstimateView.self, try await CostsTestSupport.gateway().send(.POST, "/api/v1/estimates", token: token, json: request))
        #expect(estimate.options.count > 20)
        #expect(zip(estimate.options, estimate.options.dropFirst()).allSatisfy { $0.totalNanoDollars <= $1.totalNanoDollars })
        let best = try #require(estimate.recommended)
        #expect(best == estimate.options.first(where: \.allowed))
        #expect(estimate.options.filter { !$0.allowed }.allSatisfy { $0.excludedBy?.contains("residency") == true })
        #expect(estimate.reason.hasPrefix("cheapest offer meeting 4 vCPU / 16 GB in an allowed region: \(best.instanceType) in \(best.provider):\(best.region)"))
        // The recommended instance is the region's cheapest offer of that size in the catalogue.
        let cheapest = try await prices("provider=\(best.provider)&region=\(best.region)&minVcpus=4&minMemoryGb=16&limit=1", token: token)
        #expect(cheapest.prices.first?.hourlyUSD == best.hourlyUSD)
        #expect(best.instanceNanoDollars == (cheapest.prices.first?.hourlyNanoDollars ?? -1) * 720)

        var bad = request
        bad.rounds = -1
        #expect(try CostsTestSupport.problemField(try await CostsTestSupport.gateway().send(.POST, "/api/v1/estimates", token: token, json: bad)) == "rounds")
        let badQuery = try await CostsTestSupport.gateway().send(.GET, "/api/v1/prices?minVcpus=-1", token: token)
        #expect(try CostsTestSupport.problemField(badQuery) == "minVcpus")
        #expect(badQuery.text.contains("\"limit\""))
    }
}
