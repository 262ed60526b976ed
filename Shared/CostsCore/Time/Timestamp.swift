/// An instant in UTC, as whole milliseconds since 1970-01-01T00:00:00Z (Unix time, no leap
/// seconds — as PostgreSQL `timestamptz`, Redis stream ids and every cloud bill count).
///
/// Integer milliseconds keep day-splitting and metering exact; Codable as a bare integer.
public struct Timestamp: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public static let millisecondsPerDay: Int64 = 86_400_000

    public var millisecondsSince1970: Int64

    public init(millisecondsSince1970: Int64) {
        self.millisecondsSince1970 = millisecondsSince1970
    }

    /// A UTC calendar time; `month` 1...12, `day` 1...31 (not range-checked beyond arithmetic:
    /// day 32 is the next month's first).
    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, millisecond: Int = 0) {
        let days = UTCDay(year: year, month: month, day: day).daysSince1970
        let seconds = Int64(hour) * 3600 + Int64(minute) * 60 + Int64(second)
        self.init(millisecondsSince1970: days * Self.millisecondsPerDay + seconds * 1000 + Int64(millisecond))
    }

    /// The UTC day this instant falls in (floor division, so instants before 1970 work too).
    public var day: UTCDay {
        UTCDay(daysSince1970: Self.floorDivide(millisecondsSince1970, Self.millisecondsPerDay))
    }

    public func adding(milliseconds: Int64) -> Timestamp {
        Timestamp(millisecondsSince1970: millisecondsSince1970 + milliseconds)
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSince1970 < rhs.millisecondsSince1970
    }

    public init(from decoder: any Decoder) throws {
        millisecondsSince1970 = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(millisecondsSince1970)
    }

    /// ISO 8601, "2025-03-01T23:30:00.000Z".
    public var description: String {
        let day = self.day
        let ms = millisecondsSince1970 - day.start.millisecondsSince1970
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let milli = ms % 1000
        let milliText = milli < 10 ? "00\(milli)" : milli < 100 ? "0\(milli)" : "\(milli)"
        return "\(day)T\(two(ms / 3_600_000)):\(two(ms / 60_000 % 60)):\(two(ms / 1000 % 60)).\(milliText)Z"
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let quotient = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient
    }
}
