import CumulusAPI
import Foundation
import PlacementCore

/// Where the placement service gets its price catalogue and latency matrix.
///
/// The costs service owns the catalogue (versioned imports in PostgreSQL, live pricing). Its API
/// is being built alongside this service, so placement does not depend on it yet: it plans on
/// PlacementCore's built-in ``DefaultCatalogue`` (approximate, ships with the product) or on the
/// shared CSV files named by `CUMULUS_PLACEMENT_PRICE_FILES` and `_LATENCY_FILE`. Fetching the
/// catalogue from costs over HTTP is one more conformance of this protocol, with no change to
/// the planner or the API.
public protocol CatalogueSource: Sendable {
    /// The catalogue to plan with now, and what it is (stored with every placement).
    func catalogue() async throws -> LoadedCatalogue
}

public struct LoadedCatalogue: Sendable {
    public var catalogue: CloudCatalogue
    public var summary: CatalogueSummary

    public init(catalogue: CloudCatalogue, source: String, description: String) {
        self.catalogue = catalogue
        summary = CatalogueSummary(source: source, description: description, offers: catalogue.offers.count,
                                   pricedRegions: catalogue.pricedRegions.count, latencyPairs: catalogue.latency.pairCount)
    }
}

/// PlacementCore's built-in catalogue: a few regions per provider with approximate list prices
/// and egress prices, so a fresh install plans without any import.
public struct DefaultCatalogueSource: CatalogueSource {
    public init() {}

    public func catalogue() async throws -> LoadedCatalogue {
        LoadedCatalogue(catalogue: DefaultCatalogue.catalogue, source: "default",
                        description: "built-in approximate catalogue (PlacementCore.DefaultCatalogue)")
    }
}

/// Price lists and a latency file in the shared CSV format, read once at start. Egress prices are
/// not in those files: the approximate first-tier list prices of PlacementCore apply.
public struct CSVFileCatalogueSource: CatalogueSource {
    let loaded: LoadedCatalogue
    /// Rows the parsers skipped, by file and line: logged at start, never fatal.
    public let issues: [String]

    public init(priceFiles: [String], latencyFile: String) throws {
        var offers: [InstanceOffer] = []
        var issues: [String] = []
        for path in priceFiles {
            let table = try PriceCSVParser.parse(bytes: try Self.read(path, variable: "CUMULUS_PLACEMENT_PRICE_FILES"), file: path)
            offers += table.value
            issues += table.issues.map { "\(path) \($0)" }
        }
        let latency = try LatencyCSVParser.parse(bytes: try Self.read(latencyFile, variable: "CUMULUS_PLACEMENT_LATENCY_FILE"), file: latencyFile)
        issues += latency.issues.map { "\(latencyFile) \($0)" }
        guard !offers.isEmpty else { throw CatalogueFileError(path: priceFiles.joined(separator: ","), problem: "holds no usable price rows") }
        self.issues = issues
        let names = (priceFiles + [latencyFile]).map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: ", ")
        loaded = LoadedCatalogue(catalogue: CloudCatalogue(offers: offers, egress: .approximateDefaults, latency: latency.value),
                                 source: "files", description: "CSV files \(names); egress at approximate list prices")
    }

    public func catalogue() async throws -> LoadedCatalogue { loaded }

    static func read(_ path: String, variable: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CatalogueFileError(path: path, problem: "cannot be read (named by \(variable))")
        }
        return [UInt8](data)
    }
}

public struct CatalogueFileError: Error, CustomStringConvertible {
    public var path: String
    public var problem: String
    public var description: String { "catalogue file \(path) \(problem)" }
}
