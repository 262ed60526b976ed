import Foundation

/// A participant's local tabular data: a CSV file with a header line, feature columns, then an
/// integer class label in the last column. Split deterministically into a training part and a
/// held-out part (for federated evaluation) by a seeded shuffle, so every run of the same node
/// and seed splits the same way.
public enum CSVDataset {
    public struct Split: Sendable {
        public var train: TabularDataset
        /// Nil when nothing was held out (a fraction of 0, or a single row).
        public var heldOut: TabularDataset?
        public var columns: [String]
    }

    public enum Problem: Error, CustomStringConvertible, Equatable {
        case empty
        case row(line: Int, reason: String)
        case tooFewColumns(Int)

        public var description: String {
            switch self {
            case .empty: "the file has no header or no rows"
            case .row(let line, let reason): "line \(line): \(reason)"
            case .tooFewColumns(let count): "the header has \(count) column(s); at least one feature and a label are needed"
            }
        }
    }

    /// Parses `text`; `heldOutFraction` of the rows (at least one when there are two or more) go
    /// to the held-out part.
    public static func load(_ text: String, heldOutFraction: Double = 0.2, seed: UInt64 = 0) throws -> Split {
        var lines = text.split(whereSeparator: \.isNewline).map { $0.hasPrefix("\u{FEFF}") ? $0.dropFirst() : $0[...] }
        lines.removeAll { $0.allSatisfy(\.isWhitespace) }
        guard let header = lines.first, lines.count > 1 else { throw Problem.empty }
        let columns = header.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: .whitespaces) }
        guard columns.count >= 2 else { throw Problem.tooFewColumns(columns.count) }
        var rows: [[Float]] = []
        var labels: [Int] = []
        rows.reserveCapacity(lines.count - 1)
        for (offset, line) in lines.dropFirst().enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == columns.count else {
                throw Problem.row(line: offset + 2, reason: "has \(fields.count) fields, the header has \(columns.count)")
            }
            var features: [Float] = []
            features.reserveCapacity(columns.count - 1)
            for (index, field) in fields.dropLast().enumerated() {
                guard let value = Float(field.trimmingCharacters(in: .whitespaces)), value.isFinite else {
                    throw Problem.row(line: offset + 2, reason: "column '\(columns[index])' is not a finite number: '\(field)'")
                }
                features.append(value)
            }
            guard let label = Int(fields.last!.trimmingCharacters(in: .whitespaces)), label >= 0 else {
                throw Problem.row(line: offset + 2, reason: "the label '\(fields.last!)' is not a non-negative integer")
            }
            rows.append(features)
            labels.append(label)
        }
        var order = Array(rows.indices)
        var generator = SeededGenerator(seed: seed)
        generator.shuffle(&order)
        // Some rows are held out whenever a fraction is asked for (and there is more than one row).
        let heldOutCount = heldOutFraction <= 0 || rows.count < 2 ? 0 : min(rows.count - 1, max(1, Int((Double(rows.count) * heldOutFraction).rounded())))
        let heldOut = order.prefix(heldOutCount).sorted()
        let train = order.dropFirst(heldOutCount).sorted()
        do {
            return Split(train: try TabularDataset(rows: train.map { rows[$0] }, labels: train.map { labels[$0] }),
                         heldOut: heldOut.isEmpty ? nil : try TabularDataset(rows: heldOut.map { rows[$0] }, labels: heldOut.map { labels[$0] }),
                         columns: columns)
        } catch {
            throw Problem.row(line: 0, reason: "\(error)")
        }
    }
}
