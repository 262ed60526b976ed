import Foundation
import Logging
import Synchronization
import Testing

@testable import CumulusKit

/// The hand-written JSON log lines: valid JSON whatever the text, keys sorted, the shell's fields
/// present and not overridden by metadata.
@Suite struct JSONLogHandlerTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    @Test func linesAreValidJSONWithEveryFieldEscaped() throws {
        let lines = Lines()
        var handler = JSONLogHandler(label: "cumulus.test", level: .info) { lines.append($0) }
        handler[metadataKey: "request_id"] = "abc"
        let logger = Logger(label: "cumulus.test") { _ in handler }
        let tricky = "quote \" backslash \\ newline \n tab \t bell \u{07} slash / é 🚀"
        logger.warning("\(tricky)", metadata: ["path": .string("/api/v1/x"), "list": .array(["a", .stringConvertible(3)]),
                                                "nested": .dictionary(["z": "1", "a": "2"]), "message": "metadata cannot replace the message"])
        let line = try #require(lines.all.first)
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["message"] as? String == tricky)
        #expect(object["level"] as? String == "warning")
        #expect(object["logger"] as? String == "cumulus.test")
        #expect(object["request_id"] as? String == "abc")
        #expect(object["path"] as? String == "/api/v1/x")
        #expect(object["list"] as? [String] == ["a", "3"])
        #expect((object["nested"] as? [String: String]) == ["z": "1", "a": "2"])
        #expect((object["file"] as? String)?.contains("JSONLogHandlerTests.swift") == true, "warnings name their source line")
        // Keys in order, so lines diff and grep alike.
        #expect(line.hasPrefix(#"{"file":"#))
        #expect(line.contains(#""nested":{"a":"2","z":"1"}"#))
        let time = try #require(object["time"] as? String)
        #expect(time.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/) != nil, "\(time)")
        let parsed = try #require(try? Date(time, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true)))
        #expect(abs(parsed.timeIntervalSinceNow) < 60)
    }
}
