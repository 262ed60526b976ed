import CumulusKit
import Foundation
import Hummingbird
import NIOCore

extension Request {
    /// Decodes a JSON body; a body that does not fit the type is a 400 naming the field
    /// (`constraints.minVCPU`, `participants[2].region`), never a 500.
    func decodeBody<T: Decodable>(_ type: T.Type, context: CumulusRequestContext) async throws -> T {
        let buffer = try await body.collect(upTo: context.maxUploadSize)
        do {
            return try JSONDecoder.iso8601.decode(T.self, from: Data(buffer.readableBytesView))
        } catch let DecodingError.keyNotFound(key, detail) {
            throw Problem.invalidField(Self.path(detail.codingPath + [key]), "is required")
        } catch let DecodingError.valueNotFound(_, detail) {
            throw Problem.invalidField(Self.path(detail.codingPath), "must not be null")
        } catch let DecodingError.typeMismatch(expected, detail) {
            throw Problem.invalidField(Self.path(detail.codingPath), "must be \(Self.describe(expected))")
        } catch let DecodingError.dataCorrupted(detail) {
            if detail.codingPath.isEmpty { throw Problem.invalidField("body", "is not a JSON object of the expected shape: \(detail.debugDescription)") }
            throw Problem.invalidField(Self.path(detail.codingPath), detail.debugDescription)
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        var path = ""
        for key in keys {
            if let index = key.intValue { path += "[\(index)]" } else { path += path.isEmpty ? key.stringValue : ".\(key.stringValue)" }
        }
        return path.isEmpty ? "body" : path
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Double.Type, is Float.Type: "a number"
        case is Int.Type, is Int64.Type, is UInt64.Type: "a whole number"
        case is Bool.Type: "true or false"
        default: "\(type)".contains("Array") ? "an array" : "\(type)".contains("Dictionary") ? "an object" : "a \(type)"
        }
    }
}
