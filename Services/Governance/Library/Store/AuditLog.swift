import CumulusAPI
import CumulusKit
import Foundation
import NIOCore
import Logging
import PostgresNIO

/// The append-only, hash-chained audit log. Appends are serialised by an advisory lock so the
/// chain has one order; the table refuses UPDATE and DELETE (see the migration).
struct AuditLog: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    struct Event: Sendable {
        var actor: String
        var action: String
        var target: String
        var outcome: String = "success"
        var organisationID: UUID? = nil
        var federationID: UUID? = nil
        var details: [String: String] = [:]
    }

    func append(_ event: Event) async throws {
        try await postgres.withTransaction(logger: logger) { connection in
            try await append(event, on: connection)
        }
    }

    /// Appends inside the caller's transaction, so the entry commits with the change it records.
    func append(_ event: Event, on connection: PostgresConnection) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock(hashtext('cumulus.audit'))", logger: logger)
        var previous = (sequence: Int64(0), hash: AuditChain.genesis)
        for try await (sequence, hash) in try await connection.query(
            "SELECT sequence, hash FROM audit_log ORDER BY sequence DESC LIMIT 1", logger: logger
        ).decode((Int64, ByteBuffer).self) {
            previous = (sequence, Array(hash.readableBytesView))
        }
        let details = Self.canonicalJSON(event.details)
        // Whole milliseconds: the time survives the trip through PostgreSQL's microseconds
        // (and floating point) unchanged at the precision the hash covers.
        let at = Date(timeIntervalSince1970: (Date.now.timeIntervalSince1970 * 1000).rounded() / 1000)
        var entry = AuditChain.Entry(
            sequence: previous.sequence + 1, at: at, actor: event.actor, action: event.action, target: event.target,
            outcome: event.outcome, organisationID: event.organisationID, federationID: event.federationID,
            details: details, previousHash: previous.hash, hash: []
        )
        entry.hash = AuditChain.hash(of: entry)
        try await connection.query(
            """
            INSERT INTO audit_log (sequence, at, actor, action, target, outcome, organisation_id, federation_id, details, previous_hash, hash)
            VALUES (\(entry.sequence), \(entry.at), \(entry.actor), \(entry.action), \(entry.target), \(entry.outcome),
                    \(entry.organisationID), \(entry.federationID), \(entry.details), \(ByteBuffer(bytes: entry.previousHash)), \(ByteBuffer(bytes: entry.hash)))
            """,
            logger: logger
        )
    }

    func entries(after sequence: Int64, limit: Int) async throws -> [AuditChain.Entry] {
        var result: [AuditChain.Entry] = []
        let rows = try await postgres.query(
            """
            SELECT sequence, at, actor, action, target, outcome, organisation_id, federation_id, details, previous_hash, hash
            FROM audit_log WHERE sequence > \(sequence) ORDER BY sequence LIMIT \(limit)
            """,
            logger: logger
        )
        for try await row in rows.decode((Int64, Date, String, String, String, String, UUID?, UUID?, String, ByteBuffer, ByteBuffer).self) {
            result.append(AuditChain.Entry(
                sequence: row.0, at: row.1, actor: row.2, action: row.3, target: row.4, outcome: row.5,
                organisationID: row.6, federationID: row.7, details: row.8,
                previousHash: Array(row.9.readableBytesView), hash: Array(row.10.readableBytesView)))
        }
        return result
    }

    /// Checks the whole chain in pages and names the first broken entry.
    func verify() async throws -> AuditVerification {
        var checked = 0
        var previousHash = AuditChain.genesis
        var last: Int64 = 0
        var expectedSequence: Int64 = 1
        while true {
            let page = try await entries(after: last, limit: 1000)
            if page.isEmpty { break }
            for entry in page {
                if entry.sequence != expectedSequence {
                    return AuditVerification(intact: false, entriesChecked: checked, firstBrokenSequence: expectedSequence,
                                             problem: "entry \(expectedSequence) is missing")
                }
                expectedSequence += 1
            }
            if let broken = AuditChain.firstBreak(in: page, after: previousHash) {
                let (sequence, problem): (Int64, String) = switch broken {
                case .previousHashMismatch(let sequence): (sequence, "entry \(sequence) does not link to the entry before it")
                case .hashMismatch(let sequence): (sequence, "entry \(sequence) was changed after it was written")
                }
                return AuditVerification(intact: false, entriesChecked: checked + page.firstIndex { $0.sequence == sequence }!, firstBrokenSequence: sequence, problem: problem)
            }
            checked += page.count
            previousHash = page.last!.hash
            last = page.last!.sequence
        }
        return AuditVerification(intact: true, entriesChecked: checked, firstBrokenSequence: nil, problem: nil)
    }

    static func canonicalJSON(_ details: [String: String]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: details, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
