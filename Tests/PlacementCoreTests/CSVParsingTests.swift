import Testing
@testable import PlacementCore

/// Malformed input, on small inline strings.
@Suite struct CSVParsingTests {
    static let header = "cloud_name,region_name,instance_type,vcpu_count,memory_gb,on_demand_price"

    @Test func malformedPriceRowsAreReportedWithLineAndReasonAndGoodRowsKept() throws {
        let text = [
            Self.header,                                   // 1
            "AWS,us-east-1,m5.large,2,8,0.096",             // 2 good
            "AWS,us-east-1,m5.xlarge,4,16",                 // 3 too few fields
            "AWS,us-east-1,c5.large,two,4,0.085",           // 4 vCPU not a number
            "AWS,us-east-1,c5.xlarge,4,8,-0.17",            // 5 negative price
            "Oracle,us-ashburn-1,VM.Standard,2,16,0.05",    // 6 unknown provider
            "GCP,,e2-medium,2,4,0.0335",                    // 7 empty region
            "",                                             // 8 blank: skipped silently
            "AWS,us-east-1,m5.large,2,8,0.1",               // 9 duplicate of line 2
            "GCP,us-central1,e2-small,2,2,nan",             // 10 NaN price
            "AWS,us-east-1,t3.micro,0,1,0.0104",            // 11 zero vCPU
            "AWS,us-east-1,\"t3.small\",2,2,0.0208",        // 12 good, quoted
            "AWS,us-east-1,\"t3.nano,2,0.5,0.0052",         // 13 unterminated quote
            "GCP,us-central1,e2-standard-2,2,8,0.067",      // 14 good
            "AWS,us-east-1,m9.big,4,-16,0.2",               // 15 negative memory
            "AWS,us-east-1,t3.nano,2,0,0.0052",             // 16 good: 0.5 GB rounded down, as in the AWS file
        ].joined(separator: "\r\n")
        let table = try PriceCSVParser.parse(text)
        #expect(table.value.map(\.instanceType) == ["m5.large", "t3.small", "e2-standard-2", "t3.nano"])
        #expect(table.value[0].hourlyUSD == 0.096, "the first of two duplicates is kept")
        let byLine = Dictionary(uniqueKeysWithValues: table.issues.map { ($0.line, $0.reason) })
        #expect(table.issues.map(\.line) == [3, 4, 5, 6, 7, 9, 10, 11, 13, 15])
        #expect(byLine[3] == .fieldCount(expected: 6, found: 5))
        #expect(byLine[4] == .notAnInteger(column: "vcpu_count", value: "two"))
        #expect(byLine[5] == .outOfRange(column: "on_demand_price", value: "-0.17", requirement: "> 0"))
        #expect(byLine[6] == .unknownProvider("Oracle"))
        #expect(byLine[7] == .emptyField(column: "region_name"))
        #expect(byLine[9] == .duplicate(of: "aws:us-east-1 m5.large", firstLine: 2))
        #expect(byLine[10] == .notANumber(column: "on_demand_price", value: "nan"))
        #expect(byLine[11] == .outOfRange(column: "vcpu_count", value: "0", requirement: "> 0"))
        #expect(byLine[13] == .unterminatedQuote)
        #expect(byLine[15] == .outOfRange(column: "memory_gb", value: "-16.0", requirement: ">= 0"))
        #expect(table.issues[0].description == "line 3: expected 6 fields, found 5")
    }

    @Test func quotedFieldsMayHoldCommasAndEscapedQuotes() throws {
        let text = "\(Self.header),gpu_type,gpu_count\nAzure,westeurope,\"Standard_NC4as_T4_v3\",4,28,0.59,\"NVIDIA \"\"T4\"\", PCIe\",1\n"
        let table = try PriceCSVParser.parse(text)
        #expect(table.issues.isEmpty)
        #expect(table.value.first?.gpu == GPUSpec(model: "NVIDIA \"T4\", PCIe", count: 1))
        #expect(table.value.first?.region.geography?.countryCode == "NL")
    }

    @Test func columnsAreFoundByNameInAnyOrderAndABOMIsIgnored() throws {
        let text = "\u{FEFF}on_demand_price,memory_gb,vcpu_count,instance_type,region_name,cloud_name\n0.5,16,4,x1,eu-west-1,aws"
        let table = try PriceCSVParser.parse(text)
        #expect(table.issues.isEmpty)
        #expect(table.value == [InstanceOffer(
            region: Region(known: RegionID(.aws, "eu-west-1")), instanceType: "x1", vCPU: 4, memoryGB: 16, hourlyUSD: 0.5)])
    }

    @Test func aMissingColumnOrAnEmptyFileFailsTheWholeFile() {
        #expect(throws: CatalogueParseError.missingColumns(
            ["on_demand_price"], found: ["cloud_name", "region_name", "instance_type", "vcpu_count", "memory_gb"], file: "p.csv"
        )) {
            try PriceCSVParser.parse("cloud_name,region_name,instance_type,vcpu_count,memory_gb\nAWS,a,b,1,1", file: "p.csv")
        }
        #expect(throws: CatalogueParseError.emptyInput(file: "price list")) { try PriceCSVParser.parse("\n\n") }
        #expect(throws: CatalogueParseError.malformedHeader(.unterminatedQuote, file: "latency file")) {
            try LatencyCSVParser.parse("\"source_provider,x\n")
        }
    }

    static let latencyHeader = "timestamp,source_provider,source_region,source_ip,target_provider,target_region,target_ip,success,avg_latency,min_latency,max_latency"

    @Test func latencyRowsAreAveragedFailuresIgnoredAndBadRowsReported() throws {
        let text = [
            Self.latencyHeader,
            "t,AWS,us-east-1,ip,GCP,us-east4,ip,True,10,9,11",     // 2
            "t,GCP,us-east4,ip,AWS,us-east-1,ip,True,14,13,15",    // 3 reverse direction
            "t,AWS,us-east-1,ip,GCP,us-east4,ip,True,12,11,13",    // 4 repeat
            "t,AWS,us-east-1,ip,AWS,eu-west-1,ip,False,,,",        // 5 failed: ignored
            "t,AWS,us-east-1,ip,AWS,eu-west-1,ip,maybe,70,69,71",  // 6 bad boolean
            "t,AWS,us-east-1,ip,AWS,eu-west-1,ip,True,,69,71",     // 7 empty avg
            "t,AWS,us-east-1,ip,AWS,eu-west-1,ip,True,-3,69,71",   // 8 negative
            "t,AWS,us-east-1,ip,AWS,eu-west-1,ip,True,70",         // 9 short row
        ].joined(separator: "\n")
        let table = try LatencyCSVParser.parse(text)
        let a = RegionID(.aws, "us-east-1"), b = RegionID(.gcp, "us-east4")
        #expect(table.acceptedRows == 3)
        #expect(table.ignoredRows == 1)
        #expect(table.value.rttMilliseconds(between: b, and: a) == (10 + 14 + 12) / 3.0)
        #expect(table.value.measurementCount(between: a, and: b) == 3)
        #expect(table.value.rttMilliseconds(between: a, and: RegionID(.aws, "eu-west-1")) == nil)
        #expect(table.issues.map(\.line) == [6, 7, 8, 9])
        #expect(table.issues[0].reason == .notABoolean(column: "success", value: "maybe"))
        #expect(table.issues[1].reason == .emptyField(column: "avg_latency"))
        #expect(table.issues[3].reason == .fieldCount(expected: 11, found: 9))
    }

    @Test func latencyFallbacksAreTheDocumentedOnes() {
        var matrix = LatencyMatrix(sameRegionRTTMilliseconds: 0.5)
        let a = RegionID(.aws, "us-east-1"), b = RegionID(.aws, "us-west-1")
        #expect(matrix.rttMilliseconds(between: a, and: a) == 0.5)
        #expect(matrix.rttMilliseconds(between: a, and: b) == nil)
        matrix.fallbackRTTMilliseconds = 250
        #expect(matrix.rttMilliseconds(between: a, and: b) == 250)
        matrix.record(a, a, rttMilliseconds: 0.2)
        #expect(matrix.rttMilliseconds(between: a, and: a) == 0.2, "a measured self-pair beats the default")
    }
}
