import PlacementCore
import PropertyBased
import Testing
@testable import CostsCore

@Suite struct ImportTests {
    typealias F = Fixtures

    @Test func identicalReimportChangesNothing() {
        let version = CatalogueVersion.initial(F.offers)
        let reimport = CatalogueImport(current: F.offers, version: version, imported: F.offers)
        #expect(reimport.diff.isEmpty && !reimport.changedAnything)
        #expect(reimport.version == version)
        #expect(reimport.offers == F.offers)
        // Row order and a duplicated row make no difference either.
        let shuffled = F.offers.reversed() + [F.offers[0]]
        #expect(CatalogueDiff(current: F.offers, imported: Array(shuffled)).isEmpty)
        #expect(CatalogueVersion(number: 1, offers: Array(shuffled)) == version)
    }

    @Test func changesAreListedAndBumpTheVersion() throws {
        var imported = F.offers.filter { $0.instanceType != "r5.xlarge" }          // removed
        imported[0].hourlyUSD = 0.1                                                // m5.large us-east-1: 0.096 → 0.1
        imported.append(F.offer(F.usEast, "c5.2xlarge", 8, 16, 0.34))              // added
        let version = CatalogueVersion.initial(F.offers)
        let reimport = CatalogueImport(current: F.offers, version: version, imported: imported)
        #expect(reimport.diff.added.map(\.instanceType) == ["c5.2xlarge"])
        #expect(reimport.diff.removed.map(\.instanceType) == ["r5.xlarge"])
        #expect(reimport.diff.changed.map(\.key) == [OfferKey(region: F.usEast, instanceType: "m5.large")])
        #expect(reimport.diff.changed.first?.fields == [.hourlyPrice])
        #expect(reimport.version.number == 2 && reimport.version.fingerprint != version.fingerprint)
        #expect(reimport.version.offerCount == F.offers.count)
        // Importing the same list again is now a no-op: still version 2.
        let again = CatalogueImport(current: reimport.offers, version: reimport.version, imported: imported)
        #expect(again.diff.isEmpty && again.version == reimport.version)
    }

    @Test func anImportOnlyRemovesWithinItsScope() {
        // A GCP-only list does not remove AWS offers; it changes GCP (n2 price) and drops e2.
        var gcp = F.offers.filter { $0.provider == .gcp && $0.instanceType == "n2-standard-4" }
        gcp[0].hourlyUSD = 0.21
        let diff = CatalogueDiff(current: F.offers, imported: gcp)
        #expect(diff.removed.map(\.instanceType) == ["e2-standard-2"])
        #expect(diff.changed.count == 1 && diff.added.isEmpty)
        // An empty file touches nothing by default; with an explicit scope it empties that scope.
        #expect(CatalogueDiff(current: F.offers, imported: []).isEmpty)
        #expect(CatalogueDiff(current: F.offers, imported: [], scope: .regions([F.frankfurt])).removed.count == 2)
    }

    @Test func subNanoDollarNoiseIsNotAChange() {
        var noisy = F.offers
        noisy[0].hourlyUSD = 0.096 + 1e-13
        #expect(CatalogueDiff(current: F.offers, imported: noisy).isEmpty)
    }

    /// Random edits of the fixture list: applying the diff yields the import (plus what lies
    /// outside its scope), and diffing the result against the same import is empty.
    @Test func applyingTheDiffIsIdempotent() async {
        let edits = zip(Gen.int(in: 0...3), Gen.int(in: 0..<8), Gen.int(in: 1...500)).array(of: 0...10)
        await propertyCheck(count: 200, input: edits) { edits in
            var imported = F.offers
            for (kind, position, cents) in edits where !imported.isEmpty {
                let index = position % imported.count
                switch kind {
                case 0: imported.remove(at: index)
                case 1: imported[index].hourlyUSD = Double(cents) / 100
                case 2: imported.append(F.offer(F.gcpFrankfurt, "custom-\(cents)", 2, 4, Double(cents) / 1000))
                default: imported[index].memoryGB += 1
                }
            }
            let diff = CatalogueDiff(current: F.offers, imported: imported, scope: .everything)
            let applied = diff.applied(to: F.offers)
            #expect(Set(applied) == Set(CatalogueDiff.keyed(imported).values))
            #expect(CatalogueDiff(current: applied, imported: imported, scope: .everything).isEmpty)
            #expect((CatalogueVersion(number: 1, offers: applied) == CatalogueVersion(number: 1, offers: F.offers)) == diff.isEmpty)
        }
    }
}
