/// Why a whole catalogue file could not be read (as opposed to single bad rows, which are
/// reported as ``RowIssue``s next to the good rows).
public enum CatalogueParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No header line at all.
    case emptyInput(file: String)
    /// The header lacks columns the parser needs; `found` is the header as read.
    case missingColumns([String], found: [String], file: String)
    /// The header line itself is not valid CSV.
    case malformedHeader(RowIssue.Reason, file: String)

    public var description: String {
        switch self {
        case let .emptyInput(file):
            "\(file): no header line (the input is empty)"
        case let .missingColumns(missing, found, file):
            "\(file): header lacks \(missing.joined(separator: ", ")); found \(found.joined(separator: ","))"
        case let .malformedHeader(reason, file):
            "\(file): header line is malformed: \(reason)"
        }
    }
}
