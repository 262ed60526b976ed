/// A row that a parser could not use: where it is and why. Parsers keep going past it.
public struct RowIssue: Sendable, Hashable, CustomStringConvertible {
    /// 1-based physical line number in the input (the header is line 1).
    public var line: Int
    public var reason: Reason

    public init(line: Int, reason: Reason) {
        self.line = line
        self.reason = reason
    }

    public enum Reason: Sendable, Hashable, CustomStringConvertible, Error {
        case fieldCount(expected: Int, found: Int)
        case unterminatedQuote
        case textAfterClosingQuote
        case emptyField(column: String)
        case unknownProvider(String)
        case notAnInteger(column: String, value: String)
        case notANumber(column: String, value: String)
        case outOfRange(column: String, value: String, requirement: String)
        case notABoolean(column: String, value: String)
        case duplicate(of: String, firstLine: Int)

        public var description: String {
            switch self {
            case let .fieldCount(expected, found): "expected \(expected) fields, found \(found)"
            case .unterminatedQuote: "a quoted field is not closed on this line"
            case .textAfterClosingQuote: "text follows a closing quote before the next comma"
            case let .emptyField(column): "\(column) is empty"
            case let .unknownProvider(name): "unknown provider \"\(name)\""
            case let .notAnInteger(column, value): "\(column) \"\(value)\" is not a whole number"
            case let .notANumber(column, value): "\(column) \"\(value)\" is not a finite number"
            case let .outOfRange(column, value, requirement): "\(column) \(value) must be \(requirement)"
            case let .notABoolean(column, value): "\(column) \"\(value)\" is not true or false"
            case let .duplicate(key, firstLine): "duplicate of \(key) first given on line \(firstLine)"
            }
        }
    }

    public var description: String { "line \(line): \(reason)" }
}
