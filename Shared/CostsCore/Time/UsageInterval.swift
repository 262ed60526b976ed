/// A half-open span of time [start, end) during which something ran.
public struct UsageInterval: Sendable, Hashable, Codable, CustomStringConvertible {
    public var start: Timestamp
    public var end: Timestamp

    public init(start: Timestamp, end: Timestamp) {
        self.start = start
        self.end = end
    }

    /// Ends no earlier than it starts, and its length fits an `Int64` of milliseconds.
    public var isValid: Bool {
        start <= end && !end.millisecondsSince1970.subtractingReportingOverflow(start.millisecondsSince1970).overflow
    }

    public var milliseconds: Int64 { end.millisecondsSince1970 - start.millisecondsSince1970 }

    /// The parts of the interval in each UTC day it touches, in order, cut at every midnight:
    /// 23:00–01:30 gives (day 1, 1 h) and (day 2, 1.5 h). A part is never empty, so an interval
    /// ending exactly at midnight does not reach the next day, and an empty interval has no parts.
    public func splitByUTCDay() -> [(day: UTCDay, milliseconds: Int64)] {
        guard start < end else { return [] }
        var parts: [(day: UTCDay, milliseconds: Int64)] = []
        var cursor = start
        while cursor < end {
            let day = cursor.day
            let nextMidnight = day.advanced(by: 1).start
            let partEnd = min(nextMidnight, end)
            parts.append((day, partEnd.millisecondsSince1970 - cursor.millisecondsSince1970))
            cursor = partEnd
        }
        return parts
    }

    public var description: String { "\(start)–\(end)" }
}
