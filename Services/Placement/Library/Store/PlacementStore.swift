import CumulusAPI
import CumulusKit
import Foundation
import Logging
import PostgresNIO

/// Placements in PostgreSQL: the whole answer as one jsonb document, with the columns that
/// listings and tenancy need beside it.
struct PlacementStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    func insert(_ view: PlacementView) async throws {
        let document = try Self.json(view)
        try await postgres.query(
            """
            INSERT INTO placements (id, federation_id, mode, created_by, created_at, front_size, view)
            VALUES (\(view.id), \(view.federationId), \(view.mode.rawValue), \(view.createdBy), \(view.createdAt), \(view.front.count), \(document)::jsonb)
            """, logger: logger)
    }

    func placement(_ id: UUID) async throws -> PlacementView? {
        for try await text in try await postgres.query("SELECT view::text FROM placements WHERE id = \(id)", logger: logger).decode(String.self) {
            return try JSONDecoder.iso8601.decode(PlacementView.self, from: Data(text.utf8))
        }
        return nil
    }

    func list(federation: UUID, limit: Int) async throws -> [PlacementSummary] {
        var rows: [PlacementSummary] = []
        for try await (id, federationId, mode, createdAt, createdBy, frontSize, recommended) in try await postgres.query(
            """
            SELECT id, federation_id, mode, created_at, created_by, front_size, (view -> 'recommended')::text FROM placements
            WHERE federation_id = \(federation) ORDER BY created_at DESC, id LIMIT \(limit)
            """, logger: logger
        ).decode((UUID, UUID, String, Date, String, Int, String?).self) {
            let point = try recommended.flatMap { $0 == "null" ? nil : try JSONDecoder.iso8601.decode(PlacementPointView.self, from: Data($0.utf8)) }
            rows.append(PlacementSummary(id: id, federationId: federationId, mode: PlacementMode(rawValue: mode) ?? .single, createdAt: createdAt,
                                         createdBy: createdBy, frontSize: frontSize, recommended: point))
        }
        return rows
    }

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
