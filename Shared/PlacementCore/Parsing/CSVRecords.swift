/// Splits CSV bytes into records, one per physical line, with 1-based line numbers.
///
/// Handles what real exports contain: a UTF-8 byte-order mark at the start, CRLF or LF line
/// ends, blank lines (skipped), and RFC 4180 quoted fields with `""` escapes. A quoted field
/// may not span lines: each physical line is one record, so a stray quote is reported on its
/// own line instead of swallowing the rest of the file.
struct CSVRecords {
    struct Record {
        let line: Int
        let fields: Result<[String], RowIssue.Reason>
    }

    static func split(_ input: some Sequence<UInt8>) -> [Record] {
        var bytes = Array(input)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var records: [Record] = []
        var lineNumber = 0
        var start = 0
        while start <= bytes.count {
            let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            lineNumber += 1
            var end = newline
            if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            let line = bytes[start..<end]
            if !line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) {
                records.append(Record(line: lineNumber, fields: fields(of: line)))
            }
            start = newline + 1
        }
        return records
    }

    static func fields(of line: ArraySlice<UInt8>) -> Result<[String], RowIssue.Reason> {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ",")
        var fields: [String] = []
        var index = line.startIndex
        while true {
            if index < line.endIndex, line[index] == quote {
                var value: [UInt8] = []
                index += 1
                var closed = false
                while index < line.endIndex {
                    if line[index] == quote {
                        if index + 1 < line.endIndex, line[index + 1] == quote {
                            value.append(quote)
                            index += 2
                            continue
                        }
                        closed = true
                        index += 1
                        break
                    }
                    value.append(line[index])
                    index += 1
                }
                guard closed else { return .failure(.unterminatedQuote) }
                fields.append(String(decoding: value, as: UTF8.self))
                if index == line.endIndex { return .success(fields) }
                guard line[index] == comma else { return .failure(.textAfterClosingQuote) }
                index += 1
            } else {
                let end = line[index...].firstIndex(of: comma) ?? line.endIndex
                fields.append(String(decoding: line[index..<end], as: UTF8.self))
                if end == line.endIndex { return .success(fields) }
                index = end + 1
            }
        }
    }
}
