/// The result of parsing a catalogue file: the value built from the good rows, and the rows
/// that were skipped as malformed (with line and reason). Malformed rows never fail the file.
public struct ParsedTable<Value: Sendable>: Sendable {
    public var value: Value
    public var issues: [RowIssue]
    /// Data rows that went into `value`.
    public var acceptedRows: Int
    /// Well-formed rows deliberately left out (e.g. failed latency measurements).
    public var ignoredRows: Int

    public init(value: Value, issues: [RowIssue], acceptedRows: Int, ignoredRows: Int = 0) {
        self.value = value
        self.issues = issues
        self.acceptedRows = acceptedRows
        self.ignoredRows = ignoredRows
    }
}
