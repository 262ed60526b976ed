/// Reads round-trip measurements in the shared format
/// `timestamp,source_provider,source_region,source_ip,target_provider,target_region,target_ip,
/// success,avg_latency,min_latency,max_latency` (milliseconds).
///
/// Only `avg_latency` of rows with `success` true is used; failed measurements are counted in
/// `ignoredRows`, not reported as issues. Repeated measurements of a pair, in either direction,
/// are averaged by ``LatencyMatrix``.
public enum LatencyCSVParser {
    static let requiredColumns = [
        "source_provider", "source_region", "target_provider", "target_region", "success",
        "avg_latency",
    ]

    public static func parse(
        _ text: String, into matrix: LatencyMatrix = LatencyMatrix(), file: String = "latency file"
    ) throws(CatalogueParseError) -> ParsedTable<LatencyMatrix> {
        try parse(bytes: text.utf8, into: matrix, file: file)
    }

    public static func parse(
        bytes: some Sequence<UInt8>, into matrix: LatencyMatrix = LatencyMatrix(),
        file: String = "latency file"
    ) throws(CatalogueParseError) -> ParsedTable<LatencyMatrix> {
        let records = CSVRecords.split(bytes)
        let header = try CSVHeader(records, required: requiredColumns, file: file)
        var matrix = matrix
        var issues: [RowIssue] = []
        var accepted = 0
        var ignored = 0
        for record in records.dropFirst() {
            do throws(RowIssue.Reason) {
                let row = try CSVRow(header: header, fields: record.fields.get())
                let source = RegionID(try row.provider("source_provider"), try row.text("source_region"))
                let target = RegionID(try row.provider("target_provider"), try row.text("target_region"))
                guard try row.bool("success") else {
                    ignored += 1
                    continue
                }
                let rtt = try row.double("avg_latency")
                guard rtt >= 0 else {
                    throw .outOfRange(column: "avg_latency", value: "\(rtt)", requirement: ">= 0")
                }
                matrix.record(source, target, rttMilliseconds: rtt)
                accepted += 1
            } catch {
                issues.append(RowIssue(line: record.line, reason: error))
            }
        }
        return ParsedTable(value: matrix, issues: issues, acceptedRows: accepted, ignoredRows: ignored)
    }
}
