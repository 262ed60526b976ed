import Foundation
import PropertyBased
import Testing
@testable import CostsCore

@Suite struct TimeTests {
    @Test func knownDays() {
        #expect(UTCDay(year: 1970, month: 1, day: 1).daysSince1970 == 0)
        #expect(UTCDay(year: 2000, month: 3, day: 1).daysSince1970 == 11_017)
        // 2024 is a leap year: Feb 28 → Feb 29 → Mar 1 are consecutive.
        #expect(UTCDay(year: 2024, month: 3, day: 1).daysSince1970 - UTCDay(year: 2024, month: 2, day: 28).daysSince1970 == 2)
        #expect(UTCDay(year: 2025, month: 3, day: 1).daysSince1970 - UTCDay(year: 2025, month: 2, day: 28).daysSince1970 == 1)
        #expect(UTCDay(year: 1969, month: 12, day: 31).daysSince1970 == -1)
        #expect(UTCDay(year: 1970, month: 1, day: 1).weekday == 4) // a Thursday
        #expect(UTCDay(year: 2025, month: 3, day: 3).weekday == 1) // a Monday
        #expect(UTCDay("2025-02-30") == nil)
        #expect(UTCDay("2025-03-01")?.description == "2025-03-01")
        #expect(Timestamp(millisecondsSince1970: -1).day.description == "1969-12-31")
        #expect(Fixtures.at(2025, 3, 1, 23, 30, 5, ms: 7).description == "2025-03-01T23:30:05.007Z")
    }

    @Test func civilConversionRoundTrips() async {
        await propertyCheck(count: 300, input: Gen.int64(in: -800_000...800_000)) { days in
            let day = UTCDay(daysSince1970: days)
            let (y, m, d) = day.civil
            #expect(UTCDay(year: y, month: m, day: d) == day)
            #expect(UTCDay(day.description) == day || y < 0 || y > 9999)
            #expect(day.advanced(by: 1).weekday == day.weekday % 7 + 1)
        }
    }

    @Test func intervalCrossingMidnightIsSplit() {
        // 2025-03-01 23:00 → 2025-03-02 01:30: 1 h on the 1st, 1.5 h on the 2nd.
        let parts = UsageInterval(start: Fixtures.at(2025, 3, 1, 23), end: Fixtures.at(2025, 3, 2, 1, 30)).splitByUTCDay()
        #expect(parts.map(\.day.description) == ["2025-03-01", "2025-03-02"])
        #expect(parts.map(\.milliseconds) == [3_600_000, 5_400_000])
    }

    @Test func intervalEdges() {
        // Ends exactly at midnight: one part, the next day is not touched.
        let toMidnight = UsageInterval(start: Fixtures.at(2025, 3, 1, 22), end: Fixtures.at(2025, 3, 2)).splitByUTCDay()
        #expect(toMidnight.map(\.day.description) == ["2025-03-01"])
        // Starts at midnight, runs 2 days and 1 h: three parts of 24 h, 24 h, 1 h.
        let long = UsageInterval(start: Fixtures.at(2025, 2, 28), end: Fixtures.at(2025, 3, 2, 1)).splitByUTCDay()
        #expect(long.map(\.day.description) == ["2025-02-28", "2025-03-01", "2025-03-02"])
        #expect(long.map(\.milliseconds) == [86_400_000, 86_400_000, 3_600_000])
        #expect(UsageInterval(start: Fixtures.at(2025, 3, 1), end: Fixtures.at(2025, 3, 1)).splitByUTCDay().isEmpty)
    }

    @Test func splitPartsCoverTheInterval() async {
        let instants = Gen.int64(in: 1_700_000_000_000...1_700_900_000_000)
        await propertyCheck(count: 300, input: instants, Gen.int64(in: 0...400_000_000)) { start, length in
            let interval = UsageInterval(
                start: Timestamp(millisecondsSince1970: start), end: Timestamp(millisecondsSince1970: start + length))
            let parts = interval.splitByUTCDay()
            #expect(parts.map(\.milliseconds).reduce(0, +) == length)
            #expect(parts.allSatisfy { $0.milliseconds > 0 && $0.milliseconds <= Timestamp.millisecondsPerDay })
            #expect(zip(parts, parts.dropFirst()).allSatisfy { $0.day.advanced(by: 1) == $1.day })
            if let first = parts.first { #expect(first.day == interval.start.day) }
        }
    }
}
