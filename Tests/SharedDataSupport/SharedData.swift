import Foundation
import PlacementCore

/// The reference CSVs in the `shared/data` folder beside the repo checkout, for every test target
/// that reads them. Tests that use them fail (never skip) with a message naming the path when the
/// folder is missing.
public enum SharedData {
    public struct Missing: Error, CustomStringConvertible {
        public let looked: [String]
        public var description: String {
            "shared reference data not found; looked in \(looked.joined(separator: " and ")). "
                + "Tests expect the folder `shared/data` beside the repo checkout "
                + "(#filePath/../../../shared/data), holding cloud_price_AWS.csv, "
                + "cloud_price_GCP.csv and latency_results.csv."
        }
    }

    /// `Tests/SharedDataSupport/<file>` → up three folders → `shared/data`. If this file was
    /// reached through a symlinked folder, the real path is tried second.
    public static func directory(filePath: String = #filePath) throws -> URL {
        let file = URL(fileURLWithPath: filePath)
        let candidates = [file, file.resolvingSymlinksInPath()].map {
            $0.deletingLastPathComponent().appendingPathComponent("../../../shared/data").standardizedFileURL
        }
        for candidate in candidates
        where FileManager.default.fileExists(atPath: candidate.appendingPathComponent("latency_results.csv").path) {
            return candidate
        }
        throw Missing(looked: candidates.map(\.path))
    }

    public static func data(_ name: String) throws -> Data {
        let url = try directory().appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: url.path) else { throw Missing(looked: [url.path]) }
        return data
    }

    public static func bytes(_ name: String) throws -> [UInt8] { [UInt8](try data(name)) }

    /// Parsed once per test process; every test that uses it rethrows a failure.
    private static let loaded: Result<Loaded, any Error> = Result { try load() }

    public struct Loaded: Sendable {
        public let aws: ParsedTable<[InstanceOffer]>
        public let gcp: ParsedTable<[InstanceOffer]>
        public let latency: ParsedTable<LatencyMatrix>
        public var catalogue: CloudCatalogue {
            CloudCatalogue(offers: aws.value + gcp.value, egress: .approximateDefaults, latency: latency.value)
        }
    }

    public static func tables() throws -> Loaded { try loaded.get() }
    public static func catalogue() throws -> CloudCatalogue { try tables().catalogue }

    private static func load() throws -> Loaded {
        Loaded(
            aws: try PriceCSVParser.parse(bytes: bytes("cloud_price_AWS.csv"), file: "cloud_price_AWS.csv"),
            gcp: try PriceCSVParser.parse(bytes: bytes("cloud_price_GCP.csv"), file: "cloud_price_GCP.csv"),
            latency: try LatencyCSVParser.parse(bytes: bytes("latency_results.csv"), file: "latency_results.csv"))
    }
}
