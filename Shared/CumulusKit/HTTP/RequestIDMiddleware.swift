import Foundation
import HTTPTypes
import Hummingbird

extension HTTPField.Name {
    public static let requestID = HTTPField.Name("X-Request-Id")!
}

/// Carries one request id through a request: taken from the gateway's `X-Request-Id` when it is
/// well-formed, otherwise made here; put in every log line and echoed on the response.
public struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let id = request.headers[.requestID].flatMap(Self.acceptable) ?? UUID().uuidString.lowercased()
        var context = context
        context.logger[metadataKey: "request_id"] = .string(id)
        var response = try await next(request, context)
        response.headers[.requestID] = id
        return response
    }

    /// Accepts ids of up to 128 characters from a safe alphabet (the same one the gateway keeps:
    /// letters, digits and `._:/+=-`); anything else could inject into logs.
    static func acceptable(_ candidate: String) -> String? {
        guard (1...128).contains(candidate.utf8.count),
              candidate.utf8.allSatisfy({ byte in
                  (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                      || requestIDPunctuation.contains(byte)
              })
        else { return nil }
        return candidate
    }

}

/// Punctuation allowed in request ids (a generic type cannot hold static stored properties).
private let requestIDPunctuation: Set<UInt8> = Set("._:/+=-".utf8)
