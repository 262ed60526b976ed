/// Reads on-demand price lists in the shared CSV format:
/// `cloud_name,region_name,instance_type,vcpu_count,memory_gb,on_demand_price` (USD/hour),
/// optionally with `gpu_type,gpu_count` columns. Columns are found by name; a UTF-8 BOM and
/// CRLF line ends are accepted. Regions get their geography from ``KnownRegions``.
///
/// Row rules: vCPU a whole number > 0, memory >= 0, price > 0 (a zero price is a data error, not
/// a free machine); the same (provider, region, instance type) twice keeps the first row.
public enum PriceCSVParser {
    static let requiredColumns = [
        "cloud_name", "region_name", "instance_type", "vcpu_count", "memory_gb", "on_demand_price",
    ]

    public static func parse(
        _ text: String, file: String = "price list"
    ) throws(CatalogueParseError) -> ParsedTable<[InstanceOffer]> {
        try parse(bytes: text.utf8, file: file)
    }

    public static func parse(
        bytes: some Sequence<UInt8>, file: String = "price list"
    ) throws(CatalogueParseError) -> ParsedTable<[InstanceOffer]> {
        let records = CSVRecords.split(bytes)
        let header = try CSVHeader(records, required: requiredColumns, file: file)
        var offers: [InstanceOffer] = []
        var issues: [RowIssue] = []
        var firstLine: [OfferKey: Int] = [:]
        var regions: [RegionID: Region] = [:]
        for record in records.dropFirst() {
            do throws(RowIssue.Reason) {
                let row = try CSVRow(header: header, fields: record.fields.get())
                let offer = try offer(from: row, regions: &regions)
                let key = OfferKey(region: offer.region.id, instanceType: offer.instanceType)
                if let first = firstLine[key] {
                    throw .duplicate(of: "\(key.region) \(key.instanceType)", firstLine: first)
                }
                firstLine[key] = record.line
                offers.append(offer)
            } catch {
                issues.append(RowIssue(line: record.line, reason: error))
            }
        }
        return ParsedTable(value: offers, issues: issues, acceptedRows: offers.count)
    }

    private static func offer(
        from row: CSVRow, regions: inout [RegionID: Region]
    ) throws(RowIssue.Reason) -> InstanceOffer {
        let provider = try row.provider("cloud_name")
        let regionID = RegionID(provider, try row.text("region_name"))
        let instanceType = try row.text("instance_type")
        let vCPU = try row.int("vcpu_count")
        guard vCPU > 0 else { throw .outOfRange(column: "vcpu_count", value: "\(vCPU)", requirement: "> 0") }
        let memory = try row.double("memory_gb")
        // >= 0, not > 0: the shared AWS list rounds memory down to whole GB, so its *.nano
        // types (0.5 GB) read 0; they are real offers, and any minimum memory excludes them.
        guard memory >= 0 else { throw .outOfRange(column: "memory_gb", value: "\(memory)", requirement: ">= 0") }
        let price = try row.double("on_demand_price")
        guard price > 0 else {
            throw .outOfRange(column: "on_demand_price", value: "\(price)", requirement: "> 0")
        }
        let region = regions[regionID] ?? Region(known: regionID)
        regions[regionID] = region
        return InstanceOffer(
            region: region, instanceType: instanceType, vCPU: vCPU, memoryGB: memory,
            gpu: try gpu(from: row), hourlyUSD: price)
    }

    /// Optional GPU columns: both empty (or absent) means "not stated".
    private static func gpu(from row: CSVRow) throws(RowIssue.Reason) -> GPUSpec? {
        let model = row.raw("gpu_type")
        guard !row.raw("gpu_count").isEmpty else { return nil }
        let count = try row.int("gpu_count")
        guard count >= 0 else { throw .outOfRange(column: "gpu_count", value: "\(count)", requirement: ">= 0") }
        guard count > 0 else { return nil }
        guard !model.isEmpty else { throw .emptyField(column: "gpu_type") }
        return GPUSpec(model: model, count: count)
    }

    private struct OfferKey: Hashable {
        let region: RegionID
        let instanceType: String
    }
}
