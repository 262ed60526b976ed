/// Column positions found by name, so column order in a file does not matter.
struct CSVHeader {
    let names: [String]
    private let positions: [String: Int]

    /// Reads the first non-blank record as the header and checks that `required` columns are present.
    /// Names are compared lowercased and trimmed.
    init(
        _ records: [CSVRecords.Record], required: [String], file: String
    ) throws(CatalogueParseError) {
        guard let first = records.first else { throw .emptyInput(file: file) }
        let fields: [String]
        switch first.fields {
        case let .success(values): fields = values
        case let .failure(reason): throw .malformedHeader(reason, file: file)
        }
        names = fields.map { $0.trimmingSpaces().lowercased() }
        var positions: [String: Int] = [:]
        for (index, name) in names.enumerated() where positions[name] == nil {
            positions[name] = index
        }
        self.positions = positions
        let missing = required.filter { positions[$0] == nil }
        guard missing.isEmpty else { throw .missingColumns(missing, found: fields, file: file) }
    }

    func index(of column: String) -> Int? { positions[column] }
}
