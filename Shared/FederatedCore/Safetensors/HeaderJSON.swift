/// The JSON subset a safetensors header needs, parsed strictly from bytes.
///
/// A hand-written parser rather than Foundation's because the reader must (a) refuse duplicate
/// keys, which `JSONDecoder` silently merges, (b) report the byte where parsing failed, (c) bound
/// nesting depth so a hostile header cannot exhaust the stack, and (d) keep FederatedCore free of
/// Foundation. Numbers are kept as their source text; the header reader decides what they mean.
enum HeaderJSON: Equatable {
    case object([(key: String, value: HeaderJSON)])
    case array([HeaderJSON])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    static func == (lhs: HeaderJSON, rhs: HeaderJSON) -> Bool {
        switch (lhs, rhs) {
        case (.object(let a), .object(let b)): a.elementsEqual(b) { $0.key == $1.key && $0.value == $1.value }
        case (.array(let a), .array(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.bool(let a), .bool(let b)): a == b
        case (.null, .null): true
        default: false
        }
    }

    /// A short name of the value's kind and, for scalars, its text: used in error messages.
    var summary: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string(let text): "the string \"\(text.count > 40 ? String(text.prefix(40)) + "…" : text)\""
        case .number(let text): "the number \(text)"
        case .bool(let value): "\(value)"
        case .null: "null"
        }
    }

    /// Maximum nesting of arrays and objects; a valid header needs 3.
    static let maximumDepth = 64

    static func parse(_ bytes: UnsafeRawBufferPointer) throws(SafetensorsError) -> HeaderJSON {
        var parser = Parser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.position == bytes.count else {
            throw parser.failure("unexpected \(parser.describeCurrent()) after the top-level value")
        }
        return value
    }

    private struct Parser {
        let bytes: UnsafeRawBufferPointer
        var position = 0

        init(bytes: UnsafeRawBufferPointer) {
            self.bytes = bytes
        }

        func failure(_ reason: String) -> SafetensorsError {
            .invalidJSON(offset: position, reason: reason)
        }

        func describeCurrent() -> String {
            guard position < bytes.count else { return "end of header" }
            let byte = bytes[position]
            return (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
        }

        mutating func skipWhitespace() {
            while position < bytes.count {
                switch bytes[position] {
                case 0x20, 0x09, 0x0A, 0x0D: position += 1
                default: return
                }
            }
        }

        mutating func expect(_ byte: UInt8, _ what: String) throws(SafetensorsError) {
            guard position < bytes.count, bytes[position] == byte else {
                throw failure("expected \(what), found \(describeCurrent())")
            }
            position += 1
        }

        mutating func parseValue(depth: Int) throws(SafetensorsError) -> HeaderJSON {
            guard position < bytes.count else { throw failure("expected a value, found end of header") }
            switch bytes[position] {
            case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
            case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
            case UInt8(ascii: "t"): try parseLiteral("true"); return .bool(true)
            case UInt8(ascii: "f"): try parseLiteral("false"); return .bool(false)
            case UInt8(ascii: "n"): try parseLiteral("null"); return .null
            default: throw failure("expected a value, found \(describeCurrent())")
            }
        }

        mutating func parseObject(depth: Int) throws(SafetensorsError) -> HeaderJSON {
            guard depth <= HeaderJSON.maximumDepth else { throw failure("nesting deeper than \(HeaderJSON.maximumDepth) levels") }
            position += 1
            var members: [(key: String, value: HeaderJSON)] = []
            var seen = Set<String>()
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
                position += 1
                return .object(members)
            }
            while true {
                skipWhitespace()
                let keyOffset = position
                guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                    throw failure("expected a string key, found \(describeCurrent())")
                }
                let key = try parseString()
                guard seen.insert(key).inserted else {
                    // Top-level keys are tensor names; report those precisely.
                    if depth == 1 && key != "__metadata__" { throw .duplicateTensorName(key) }
                    throw .invalidJSON(offset: keyOffset, reason: "duplicate key \"\(key)\"")
                }
                skipWhitespace()
                try expect(UInt8(ascii: ":"), "':' after an object key")
                skipWhitespace()
                members.append((key, try parseValue(depth: depth)))
                skipWhitespace()
                guard position < bytes.count else { throw failure("unterminated object") }
                if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                try expect(UInt8(ascii: "}"), "',' or '}' in an object")
                return .object(members)
            }
        }

        mutating func parseArray(depth: Int) throws(SafetensorsError) -> HeaderJSON {
            guard depth <= HeaderJSON.maximumDepth else { throw failure("nesting deeper than \(HeaderJSON.maximumDepth) levels") }
            position += 1
            var elements: [HeaderJSON] = []
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
                position += 1
                return .array(elements)
            }
            while true {
                skipWhitespace()
                elements.append(try parseValue(depth: depth))
                skipWhitespace()
                guard position < bytes.count else { throw failure("unterminated array") }
                if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                try expect(UInt8(ascii: "]"), "',' or ']' in an array")
                return .array(elements)
            }
        }

        mutating func parseLiteral(_ literal: StaticString) throws(SafetensorsError) {
            let text = UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
            guard position + text.count <= bytes.count, text.elementsEqual(bytes[position..<position + text.count]) else {
                throw failure("expected \(literal), found \(describeCurrent())")
            }
            position += text.count
        }

        /// JSON number grammar; returns the exact source text.
        mutating func parseNumber() throws(SafetensorsError) -> String {
            let start = position
            func digits(_ parser: inout Parser) -> Int {
                let begin = parser.position
                while parser.position < parser.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(parser.bytes[parser.position]) {
                    parser.position += 1
                }
                return parser.position - begin
            }
            if bytes[position] == UInt8(ascii: "-") { position += 1 }
            let integerStart = position
            let integerDigits = digits(&self)
            guard integerDigits > 0 else { throw failure("expected digits in a number") }
            guard !(integerDigits > 1 && bytes[integerStart] == UInt8(ascii: "0")) else {
                throw .invalidJSON(offset: integerStart, reason: "a number cannot have a leading zero")
            }
            if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
                position += 1
                guard digits(&self) > 0 else { throw failure("expected digits after a decimal point") }
            }
            if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
                position += 1
                if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
                guard digits(&self) > 0 else { throw failure("expected digits in an exponent") }
            }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }

        mutating func parseString() throws(SafetensorsError) -> String {
            let start = position
            position += 1  // opening quote
            var scalars: [UInt8] = []
            var runStart = position
            while true {
                guard position < bytes.count else { throw .invalidJSON(offset: start, reason: "unterminated string") }
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") {
                    scalars.append(contentsOf: bytes[runStart..<position])
                    position += 1
                    break
                }
                if byte < 0x20 { throw failure("unescaped control character 0x\(String(byte, radix: 16)) in a string") }
                if byte != UInt8(ascii: "\\") {
                    position += 1
                    continue
                }
                scalars.append(contentsOf: bytes[runStart..<position])
                position += 1
                guard position < bytes.count else { throw .invalidJSON(offset: start, reason: "unterminated string") }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""): scalars.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): scalars.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "/"): scalars.append(UInt8(ascii: "/"))
                case UInt8(ascii: "b"): scalars.append(0x08)
                case UInt8(ascii: "f"): scalars.append(0x0C)
                case UInt8(ascii: "n"): scalars.append(0x0A)
                case UInt8(ascii: "r"): scalars.append(0x0D)
                case UInt8(ascii: "t"): scalars.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try parseHex4()
                    if (0xD800..<0xDC00).contains(code) {
                        // A high surrogate must be followed by an escaped low surrogate.
                        guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                            throw failure("unpaired UTF-16 surrogate in a \\u escape")
                        }
                        position += 2
                        let low = try parseHex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw failure("unpaired UTF-16 surrogate in a \\u escape") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(code) {
                        throw failure("unpaired UTF-16 surrogate in a \\u escape")
                    }
                    scalars.append(contentsOf: String(Character(Unicode.Scalar(code)!)).utf8)
                default:
                    throw .invalidJSON(offset: position - 1, reason: "invalid escape '\\\(Character(Unicode.Scalar(escape)))'")
                }
                runStart = position
            }
            guard let text = String(validating: scalars, as: UTF8.self) else { throw .headerNotUTF8(offset: start) }
            return text
        }

        mutating func parseHex4() throws(SafetensorsError) -> UInt32 {
            guard position + 4 <= bytes.count else { throw failure("incomplete \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[position]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw failure("invalid hex digit in a \\u escape")
                }
                value = value << 4 | UInt32(digit)
                position += 1
            }
            return value
        }
    }
}
