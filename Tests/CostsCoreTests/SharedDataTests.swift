import Foundation
import PlacementCore
import SharedDataSupport
@testable import CostsCore
import Testing

/// The real price lists and latencies in ../shared/data: pricing, substitution, the wizard
/// and re-import on the tables the service will import. Missing data fails, never skips.
@Suite struct SharedDataTests {
    @Test func pricesEventsFromTheRealTables() throws {
        let pricer = UsagePricer(catalogue: try SharedData.catalogue())
        // cloud_price_AWS.csv: "AWS,ap-northeast-2,c4.4xlarge,16,30,0.907". 3 h = 0.907 × 3 = $2.721.
        let aws = Fixtures.node("r1", region: RegionID(.aws, "ap-northeast-2"), .instanceType("c4.4xlarge"),
                                from: Fixtures.at(2025, 9, 10, 6), to: Fixtures.at(2025, 9, 10, 9))
        #expect(pricer.price(aws).priced?.total == Money(nanoDollars: 2_721_000_000))
        // cloud_price_GCP.csv: "GCP,asia-northeast1,a2-highgpu-1g,12,85,0.948031", 23:00 → 00:30:
        // 1 h = $0.948031 on the 10th; the whole 1.5 h = 1.4220465 → $1.4220465 (exact at n$),
        // so the 11th gets 1.4220465 − 0.948031 = $0.4740155.
        let gcp = Fixtures.aggregator("r2", region: RegionID(.gcp, "asia-northeast1"), .instanceType("a2-highgpu-1g"),
                                      from: Fixtures.at(2025, 9, 10, 23), to: Fixtures.at(2025, 9, 11, 0, 30))
        #expect(pricer.price(gcp).priced?.lineItems.map(\.amount.nanoDollars) == [948_031_000, 474_015_500])
    }

    @Test func substitutesTheCheapestRealOfferMeetingTheSize() throws {
        let catalogue = try SharedData.catalogue()
        let pricer = UsagePricer(catalogue: catalogue)
        let region = RegionID(.aws, "us-east-1")
        let event = Fixtures.node("r3", region: region, .instanceType("not-a-type", resources: ResourceRequirement(vCPU: 4, memoryGB: 16)),
                                  from: Fixtures.at(2025, 9, 1), to: Fixtures.at(2025, 9, 1, 1))
        let priced = try #require(pricer.price(event).priced)
        // Reference: a plain scan of the parsed rows for us-east-1 with ≥ 4 vCPU and ≥ 16 GB.
        let cheapest = try #require(catalogue.offers.filter { $0.region.id == region && $0.vCPU >= 4 && $0.memoryGB >= 16 }.map(\.hourlyUSD).min())
        #expect(priced.substitution?.substituteRate == PriceRate(usd: cheapest, per: .hour))
        #expect(priced.total == PriceRate(usd: cheapest, per: .hour)?.amount(for: 3_600_000))
        // A region in the latency file but not the price lists is unpriceable, with the reason.
        let tokyo = Fixtures.node("r4", region: RegionID(.aws, "ap-northeast-1"), .instanceType("m5.large"),
                                  from: Fixtures.at(2025, 9, 1), to: Fixtures.at(2025, 9, 1, 1))
        #expect(pricer.price(tokyo).unpriceable?.reason == .regionNotInCatalogue(RegionID(.aws, "ap-northeast-1")))
    }

    @Test func estimatesOverEveryRealRegion() throws {
        let catalogue = try SharedData.catalogue()
        let template = EstimateTemplate(
            resources: ResourceRequirement(vCPU: 4, memoryGB: 16), hours: 720,
            participants: [RegionID(.aws, "eu-central-1"), RegionID(.gcp, "europe-west4"), RegionID(.aws, "us-east-1")],
            rounds: 200, modelBytes: 250_000_000, residency: .continents([.europe]))
        let estimate = try Estimator(catalogue: catalogue).estimate(template)
        #expect(estimate.options.count + estimate.regionsWithoutOffer.count == catalogue.pricedRegions.count)
        #expect(zip(estimate.options, estimate.options.dropFirst()).allSatisfy { $0.total <= $1.total })
        let best = try #require(estimate.recommended)
        #expect(best.offer.region.geography?.continent == .europe)
        #expect(best.total == estimate.options.filter(\.isAllowed).map(\.total).min())
        #expect(estimate.reason.hasPrefix("cheapest offer meeting 4 vCPU / 16 GB in an allowed region: \(best.offer.instanceType) in \(best.region)"))
        #expect(estimate.reason.contains("egress is \(best.egressPercent) % of the cost"))
    }

    @Test func reimportingTheRealListsIsIdempotent() throws {
        let tables = try SharedData.tables()
        let again = try PriceCSVParser.parse(bytes: SharedData.bytes("cloud_price_AWS.csv"), file: "cloud_price_AWS.csv")
        let version = CatalogueVersion.initial(tables.aws.value)
        #expect(version.offerCount == tables.aws.acceptedRows)
        let same = CatalogueImport(current: tables.aws.value, version: version, imported: again.value)
        #expect(same.diff.isEmpty && same.version == version)
        // Adding the GCP list to an AWS-only catalogue adds every GCP row and removes nothing.
        let withGCP = CatalogueImport(current: tables.aws.value, version: version, imported: tables.gcp.value)
        #expect(withGCP.diff.added.count == tables.gcp.acceptedRows)
        #expect(withGCP.diff.removed.isEmpty && withGCP.diff.changed.isEmpty)
        #expect(withGCP.version.number == 2 && withGCP.version.offerCount == tables.aws.acceptedRows + tables.gcp.acceptedRows)
    }

    @Test func missingSharedDataFailsWithAMessageNamingThePath() {
        do {
            _ = try SharedData.directory(filePath: "/nonexistent/checkout/Tests/CostsCoreTests/X.swift")
            Issue.record("a missing folder must throw")
        } catch {
            #expect("\(error)".contains("/nonexistent/shared/data"))
            #expect("\(error)".contains("beside the repo checkout"))
        }
    }
}
