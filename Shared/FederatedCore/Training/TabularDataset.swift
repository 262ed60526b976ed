/// Rows of numeric features with integer class labels, stored as one row-major `Float` matrix.
public struct TabularDataset: Sendable, Equatable {
    /// Row-major, `exampleCount × featureCount`.
    public let features: [Float]
    public let featureCount: Int
    public let labels: [Int]

    public var exampleCount: Int { labels.count }

    /// From a flat row-major matrix.
    public init(features: [Float], featureCount: Int, labels: [Int]) throws(TrainingError) {
        guard featureCount > 0 else { throw .invalidDataset("featureCount must be positive, not \(featureCount)") }
        guard features.count == labels.count * featureCount else {
            throw .invalidDataset("\(labels.count) labels × \(featureCount) features needs \(labels.count * featureCount) values, found \(features.count)")
        }
        if let index = features.firstIndex(where: { !$0.isFinite }) {
            throw .invalidDataset("row \(index / featureCount), feature \(index % featureCount) is \(features[index])")
        }
        if let row = labels.firstIndex(where: { $0 < 0 }) {
            throw .invalidDataset("row \(row) has negative label \(labels[row])")
        }
        self.features = features
        self.featureCount = featureCount
        self.labels = labels
    }

    /// From one array per row; every row must have the same length.
    public init(rows: [[Float]], labels: [Int]) throws(TrainingError) {
        guard rows.count == labels.count else {
            throw .invalidDataset("\(rows.count) rows but \(labels.count) labels")
        }
        guard let width = rows.first?.count else { throw .invalidDataset("no rows") }
        if let row = rows.firstIndex(where: { $0.count != width }) {
            throw .invalidDataset("row \(row) has \(rows[row].count) features, row 0 has \(width)")
        }
        try self.init(features: rows.flatMap { $0 }, featureCount: width, labels: labels)
    }
}
