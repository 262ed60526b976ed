import PlacementCore

/// What re-importing a price list does to the stored offers: added, changed and removed
/// offers, keyed by (region, instance type). Row order and duplicate rows (the first is kept,
/// as PlacementCore's parser does) never make a difference, so importing the same file twice
/// gives an empty diff — the import is idempotent.
///
/// Only offers inside `scope` can be removed: importing the AWS list must not delete GCP.
/// Prices compare as ``PriceRate``s (exact to the nano-dollar), so float noise below the
/// billing precision is not a change.
public struct CatalogueDiff: Sendable, Hashable {
    public var added: [InstanceOffer]
    public var changed: [OfferChange]
    public var removed: [InstanceOffer]

    public var isEmpty: Bool { added.isEmpty && changed.isEmpty && removed.isEmpty }

    /// Which stored offers the imported list speaks for.
    public enum Scope: Sendable, Hashable {
        /// The providers that appear in the imported list (the default: one file per provider).
        case providersInImport
        case providers(Set<Provider>)
        case regions(Set<RegionID>)
        /// The import replaces the whole catalogue.
        case everything

        func covers(_ region: RegionID, importedProviders: Set<Provider>) -> Bool {
            switch self {
            case .providersInImport: importedProviders.contains(region.provider)
            case let .providers(providers): providers.contains(region.provider)
            case let .regions(regions): regions.contains(region)
            case .everything: true
            }
        }
    }

    /// Added and changed in key order; removed in key order.
    public init(current: [InstanceOffer], imported: [InstanceOffer], scope: Scope = .providersInImport) {
        let old = Self.keyed(current), new = Self.keyed(imported)
        let importedProviders = Set(imported.map(\.provider))
        added = new.keys.filter { old[$0] == nil }.sorted().map { new[$0]! }
        changed = new.keys.sorted().compactMap { key in
            guard let before = old[key], let after = new[key] else { return nil }
            let change = OfferChange(before: before, after: after)
            return change.fields.isEmpty ? nil : change
        }
        removed = old.keys.filter { new[$0] == nil && scope.covers($0.region, importedProviders: importedProviders) }
            .sorted().map { old[$0]! }
    }

    /// The offers after the import: `current` with removals dropped, changes replaced and
    /// additions appended, in key order (so equal catalogues are equal arrays).
    public func applied(to current: [InstanceOffer]) -> [InstanceOffer] {
        var offers = Self.keyed(current)
        for offer in removed { offers[OfferKey(offer)] = nil }
        for change in changed { offers[OfferKey(change.after)] = change.after }
        for offer in added { offers[OfferKey(offer)] = offer }
        return offers.keys.sorted().map { offers[$0]! }
    }

    static func keyed(_ offers: [InstanceOffer]) -> [OfferKey: InstanceOffer] {
        var result: [OfferKey: InstanceOffer] = [:]
        for offer in offers where result[OfferKey(offer)] == nil { result[OfferKey(offer)] = offer }
        return result
    }
}

/// One offer whose terms differ between the stored and the imported list.
public struct OfferChange: Sendable, Hashable {
    public enum Field: String, Sendable, Hashable, Codable, CaseIterable {
        case hourlyPrice, vCPU, memory, gpu, geography
    }

    public var before: InstanceOffer
    public var after: InstanceOffer

    public init(before: InstanceOffer, after: InstanceOffer) {
        self.before = before
        self.after = after
    }

    public var key: OfferKey { OfferKey(after) }

    /// The fields that differ, in ``Field`` order; empty when the offers are the same terms.
    public var fields: [Field] {
        Field.allCases.filter { field in
            switch field {
            case .hourlyPrice: PriceRate(usd: before.hourlyUSD, per: .hour) != PriceRate(usd: after.hourlyUSD, per: .hour)
            case .vCPU: before.vCPU != after.vCPU
            case .memory: before.memoryGB != after.memoryGB
            case .gpu: before.gpu != after.gpu
            case .geography: before.region.geography != after.region.geography
            }
        }
    }
}
