import CostsCore
import PlacementCore

/// The catalogue in memory for pricing and estimates, reloaded when a version moved on (an
/// import in this or another replica). Asking costs one small query; reloading a few thousand
/// offers happens once per version.
actor CatalogueCache {
    struct Snapshot: Sendable {
        let versions: CatalogueStore.Versions
        let catalogue: CloudCatalogue
        let pricer: UsagePricer
        let estimator: Estimator
    }

    let store: CatalogueStore
    private var snapshot: Snapshot?

    init(store: CatalogueStore) { self.store = store }

    func current() async throws -> Snapshot {
        let versions = try await store.versions()
        if let snapshot, snapshot.versions == versions { return snapshot }
        let (catalogue, loadedVersions) = try await store.load()
        let fresh = Snapshot(versions: loadedVersions, catalogue: catalogue, pricer: UsagePricer(catalogue: catalogue),
                             estimator: Estimator(catalogue: catalogue))
        snapshot = fresh
        return fresh
    }
}
