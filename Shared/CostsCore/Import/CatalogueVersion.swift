import PlacementCore

/// A numbered state of the stored offers with a fingerprint of their content. A re-import
/// that changes nothing keeps the version; any change makes the next number, so stored line
/// items and estimates can say which prices made them.
public struct CatalogueVersion: Sendable, Hashable, Codable, CustomStringConvertible {
    public var number: Int
    /// FNV-1a 64 of the offers' canonical text (sorted by key, prices as nano-dollar rates):
    /// equal for equal contents whatever the row order. Detects drift between the stored
    /// version and the stored rows; not a security measure.
    public var fingerprint: UInt64
    public var offerCount: Int

    public init(number: Int, offers: [InstanceOffer]) {
        self.number = number
        let keyed = CatalogueDiff.keyed(offers)
        fingerprint = Self.fingerprint(keyed.keys.sorted().map { keyed[$0]! })
        offerCount = keyed.count
    }

    /// The first version of a catalogue.
    public static func initial(_ offers: [InstanceOffer]) -> CatalogueVersion {
        CatalogueVersion(number: 1, offers: offers)
    }

    public var description: String {
        "v\(number) (\(offerCount) offers, \(String(fingerprint, radix: 16)))"
    }

    static func fingerprint(_ sortedOffers: [InstanceOffer]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func feed(_ text: String) {
            for byte in text.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
        }
        for offer in sortedOffers {
            let rate = PriceRate(usd: offer.hourlyUSD, per: .hour).map { String($0.nanoDollarsPerUnit) } ?? "\(offer.hourlyUSD)"
            let gpu = offer.gpu.map { "\($0.count)x\($0.model)" } ?? "-"
            let geography = offer.region.geography.map { "\($0.continent.rawValue)/\($0.countryCode ?? "-")" } ?? "-"
            feed("\(offer.region.id)\u{1F}\(offer.instanceType)\u{1F}\(offer.vCPU)\u{1F}\(offer.memoryGB)\u{1F}\(gpu)\u{1F}\(rate)\u{1F}\(geography)\n")
        }
        return hash
    }
}

/// Re-importing a price list into a versioned catalogue.
public struct CatalogueImport: Sendable, Hashable {
    public var diff: CatalogueDiff
    /// The offers after the import (unchanged when the diff is empty).
    public var offers: [InstanceOffer]
    /// The same version when nothing changed, else the next number.
    public var version: CatalogueVersion

    public var changedAnything: Bool { !diff.isEmpty }

    public init(
        current: [InstanceOffer], version: CatalogueVersion, imported: [InstanceOffer],
        scope: CatalogueDiff.Scope = .providersInImport
    ) {
        diff = CatalogueDiff(current: current, imported: imported, scope: scope)
        if diff.isEmpty {
            offers = current
            self.version = version
        } else {
            offers = diff.applied(to: current)
            self.version = CatalogueVersion(number: version.number + 1, offers: offers)
        }
    }
}
