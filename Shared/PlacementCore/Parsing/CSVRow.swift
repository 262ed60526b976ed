/// One data record read through its header, with typed field access that reports the column.
struct CSVRow {
    let header: CSVHeader
    let fields: [String]

    init(header: CSVHeader, fields: [String]) throws(RowIssue.Reason) {
        guard fields.count == header.names.count else {
            throw .fieldCount(expected: header.names.count, found: fields.count)
        }
        self.header = header
        self.fields = fields
    }

    /// The trimmed field, or "" when the column is absent from this file (optional columns).
    func raw(_ column: String) -> String {
        guard let index = header.index(of: column) else { return "" }
        return fields[index].trimmingSpaces()
    }

    func text(_ column: String) throws(RowIssue.Reason) -> String {
        let value = raw(column)
        guard !value.isEmpty else { throw .emptyField(column: column) }
        return value
    }

    func int(_ column: String) throws(RowIssue.Reason) -> Int {
        let value = try text(column)
        guard let number = Int(value) else { throw .notAnInteger(column: column, value: value) }
        return number
    }

    /// A finite decimal number; "nan" and "inf", which `Double.init` accepts, are refused.
    func double(_ column: String) throws(RowIssue.Reason) -> Double {
        let value = try text(column)
        guard let number = Double(value), number.isFinite else {
            throw .notANumber(column: column, value: value)
        }
        return number
    }

    func bool(_ column: String) throws(RowIssue.Reason) -> Bool {
        let value = try text(column)
        switch value.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw .notABoolean(column: column, value: value)
        }
    }

    func provider(_ column: String) throws(RowIssue.Reason) -> Provider {
        let value = try text(column)
        guard let provider = Provider(catalogueName: value) else { throw .unknownProvider(value) }
        return provider
    }
}
