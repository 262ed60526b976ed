import CumulusAPI
import Foundation
import Testing

@testable import CumulusKit

/// Query values: absent is nil, malformed is a 400 naming the parameter (and its limit).
@Suite struct QueryValueTests {
    static func fieldError(_ body: () throws -> Void) -> ProblemDetails.FieldError? {
        do {
            try body()
            return nil
        } catch let problem as Problem {
            #expect(problem.details.status == 400)
            return problem.details.errors?.first
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test func uuids() throws {
        let id = UUID()
        #expect(try QueryValue.uuid(nil, "nodeId") == nil)
        #expect(try QueryValue.uuid(Substring(id.uuidString.lowercased()), "nodeId") == id)
        #expect(try QueryValue.requiredUUID(Substring(id.uuidString), "nodeId") == id)
        #expect(Self.fieldError { _ = try QueryValue.uuid("not-a-uuid", "nodeId") }?.field == "nodeId")
        let missing = Self.fieldError { _ = try QueryValue.requiredUUID(nil, "jobId") }
        #expect(missing?.field == "jobId")
        #expect(missing?.reason.contains("required") == true)
        let explained = Self.fieldError { _ = try QueryValue.requiredUUID(nil, "federationId", why: "deployments are listed per federation") }
        #expect(explained?.reason == "is required (a UUID): deployments are listed per federation")
    }

    @Test func integersKeepToTheirRange() throws {
        #expect(try QueryValue.integer(nil, "limit", 1...1000) == nil)
        #expect(try QueryValue.integer("1", "limit", 1...1000) == 1)
        #expect(try QueryValue.integer("1000", "limit", 1...1000) == 1000)
        for bad: Substring in ["0", "1001", "-5", "ten", "1.5", ""] {
            let error = Self.fieldError { _ = try QueryValue.integer(bad, "limit", 1...1000) }
            #expect(error?.field == "limit", "\(bad)")
            #expect(error?.limit == "1-1000", "\(bad)")
        }
    }

    @Test func numbersAreFiniteAndInRange() throws {
        #expect(try QueryValue.number("0.25", "weight", 0...1) == 0.25)
        #expect(try QueryValue.number(nil, "weight", 0...1) == nil)
        for bad: Substring in ["nan", "inf", "1.01", "-0.1", "x"] {
            #expect(Self.fieldError { _ = try QueryValue.number(bad, "weight", 0...1) }?.field == "weight", "\(bad)")
        }
    }

    @Test func booleans() throws {
        #expect(try QueryValue.boolean(nil, "history") == false)
        #expect(try QueryValue.boolean("TRUE", "history") == true)
        #expect(try QueryValue.boolean("1", "history") == true)
        #expect(try QueryValue.boolean("no", "history") == false)
        #expect(Self.fieldError { _ = try QueryValue.boolean("maybe", "history") }?.field == "history")
    }
}
