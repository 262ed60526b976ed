import Foundation
import SharedDataSupport
@testable import PlacementCore
import Testing

/// The parsers on the real reference files. Row counts come from shared/data/README.md.
@Suite struct SharedDataParsingTests {
    @Test func awsPriceFileHasTheDocumentedRowsDespiteItsBOMAndCRLF() throws {
        let raw = try SharedData.bytes("cloud_price_AWS.csv")
        // The file really is the awkward kind: BOM first, CRLF line ends.
        #expect(raw.starts(with: [0xEF, 0xBB, 0xBF]))
        #expect(raw.contains(0x0D))
        let table = try SharedData.tables().aws
        #expect(table.issues.isEmpty, "unexpected issues: \(table.issues.prefix(5))")
        #expect(table.value.count == 6_074)
        #expect(table.value.allSatisfy { $0.provider == .aws })
        #expect(Set(table.value.map(\.region.id)).count == 11)
    }

    @Test func bomIsHandledWhenTheFileArrivesAsAString() throws {
        let raw = try SharedData.bytes("cloud_price_AWS.csv")
        let text = String(decoding: raw, as: UTF8.self)
        #expect(text.unicodeScalars.first == "\u{FEFF}")
        let table = try PriceCSVParser.parse(text)
        #expect(table.issues.isEmpty)
        #expect(table.value == (try SharedData.tables().aws.value))
    }

    @Test func gcpPriceFileHasTheDocumentedRows() throws {
        let table = try SharedData.tables().gcp
        #expect(table.issues.isEmpty, "unexpected issues: \(table.issues.prefix(5))")
        #expect(table.value.count == 1_209)
        #expect(table.value.allSatisfy { $0.provider == .gcp })
        #expect(Set(table.value.map(\.region.id)).count == 12)
    }

    @Test func latencyFileGivesTwentyFiveRegionsEveryPairMeasuredBothWays() throws {
        let table = try SharedData.tables().latency
        #expect(table.issues.isEmpty)
        #expect(table.acceptedRows == 600)
        let regions = table.value.regions
        #expect(regions.count == 25)
        #expect(regions.filter { $0.provider == .aws }.count == 13)
        #expect(regions.filter { $0.provider == .gcp }.count == 12)
        // 600 ordered pairs = every unordered pair of 25 regions, once in each direction.
        #expect(table.value.pairCount == 25 * 24 / 2)
        for a in regions {
            for b in regions where a < b {
                #expect(table.value.measurementCount(between: a, and: b) == 2)
            }
        }
    }

    @Test func symmetricLookupIsTheMeanOfBothDirectionsInTheFile() throws {
        // Re-read the file naively and average by hand.
        let text = String(decoding: try SharedData.bytes("latency_results.csv"), as: UTF8.self)
        var sums: [String: (Double, Int)] = [:]
        for line in text.split(whereSeparator: \.isNewline).dropFirst() {
            let f = line.split(separator: ",").map(String.init)
            guard f[7] == "True" else { continue }
            let key = [f[1].lowercased() + ":" + f[2], f[4].lowercased() + ":" + f[5]].sorted().joined(separator: "|")
            let old = sums[key] ?? (0, 0)
            sums[key] = (old.0 + Double(f[8])!, old.1 + 1)
        }
        let matrix = try SharedData.tables().latency.value
        #expect(sums.count == matrix.pairCount)
        for (key, (sum, count)) in sums {
            let ends = key.split(separator: "|").map { $0.split(separator: ":") }
            let a = RegionID(Provider(catalogueName: ends[0][0])!, String(ends[0][1]))
            let b = RegionID(Provider(catalogueName: ends[1][0])!, String(ends[1][1]))
            #expect(Reference.close(matrix.rttMilliseconds(between: a, and: b)!, sum / Double(count)))
            #expect(matrix.rttMilliseconds(between: a, and: b) == matrix.rttMilliseconds(between: b, and: a))
        }
    }

    @Test func twoLatencyRegionsArePriceless() throws {
        let catalogue = try SharedData.catalogue()
        let priced = Set(catalogue.pricedRegions)
        let participantOnly = catalogue.latency.regions.filter { !priced.contains($0) }
        #expect(participantOnly == [RegionID(.aws, "ap-northeast-1"), RegionID(.aws, "us-west-1")])
    }

    @Test func everySharedRegionHasAKnownCountry() throws {
        let catalogue = try SharedData.catalogue()
        for region in catalogue.latency.regions {
            #expect(KnownRegions.geography(of: region)?.countryCode != nil, "\(region)")
        }
    }

    @Test func missingSharedDataFailsWithAMessageNamingThePath() {
        do {
            _ = try SharedData.directory(filePath: "/nonexistent/checkout/Tests/PlacementCoreTests/X.swift")
            Issue.record("a missing folder must throw")
        } catch {
            #expect("\(error)".contains("/nonexistent/shared/data"))
            #expect("\(error)".contains("beside the repo checkout"))
        }
    }
}
