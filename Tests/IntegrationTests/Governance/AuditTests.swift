import CumulusAPI
import CumulusKit
import Foundation
import PostgresNIO
import Testing

@Suite(.serialized) struct AuditTests {
    @Test func eventsFromOtherServicesAreAppendedOnce() async throws {
        let governance = try GovernanceClient.direct()
        let admin = try await governance.adminToken()
        let marker = "node-token-\(UUID().uuidString.lowercased())"
        let publisher = AuditPublisher(redis: RedisPool(url: try TestEnvironment.redis()), service: "orchestrator")
        try await publisher.publish(actor: "node:n1", action: "enrolment-tokens:use", target: marker, details: ["ip": "127.0.0.1"])
        var found: [AuditEntry] = []
        for _ in 0..<50 {
            let entries = try governance.decode([AuditEntry].self, try await governance.send(.GET, "/api/v1/audit?limit=1000", token: admin), expect: 200)
            found = entries.filter { $0.target == marker }
            if !found.isEmpty { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(found.count == 1)
        #expect(found.first?.details.contains(#""service":"orchestrator""#) == true)
    }

    @Test func aTamperedEntryIsNamedByTheVerifier() async throws {
        let governance = try GovernanceClient.direct()
        let admin = try await governance.adminToken()  // logging in appends entries
        let intact = try governance.decode(AuditVerification.self, try await governance.send(.GET, "/api/v1/audit/verify", token: admin), expect: 200)
        #expect(intact.intact, "\(intact)")
        #expect(intact.entriesChecked > 0)

        try await withPostgres(try TestEnvironment.superuserDatabase()) { superuser in
            // Even governance's own role cannot rewrite history.
            try await withPostgres(try TestEnvironment.database(of: .governance)) { own in
                await #expect(throws: PSQLError.self) { try await own.query("UPDATE audit_log SET outcome = 'success' WHERE sequence = 2") }
            }
            // A superuser can, with the trigger off: the verifier must notice.
            var original = ""
            for try await details in try await superuser.query("SELECT details FROM governance.audit_log WHERE sequence = 2").decode(String.self) { original = details }
            try await superuser.query("ALTER TABLE governance.audit_log DISABLE TRIGGER audit_log_append_only")
            try await superuser.query("UPDATE governance.audit_log SET details = '{\"forged\":\"yes\"}' WHERE sequence = 2")
            let broken = try governance.decode(AuditVerification.self, try await governance.send(.GET, "/api/v1/audit/verify", token: admin), expect: 200)
            #expect(!broken.intact)
            #expect(broken.firstBrokenSequence == 2)
            #expect(broken.problem?.contains("changed") == true)
            // Put it back so the chain is whole for everyone else.
            try await superuser.query("UPDATE governance.audit_log SET details = \(original) WHERE sequence = 2")
            try await superuser.query("ALTER TABLE governance.audit_log ENABLE TRIGGER audit_log_append_only")
        }
        let restored = try governance.decode(AuditVerification.self, try await governance.send(.GET, "/api/v1/audit/verify", token: admin), expect: 200)
        #expect(restored.intact)
    }
}
