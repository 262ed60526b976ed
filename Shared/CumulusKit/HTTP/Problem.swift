import CumulusAPI
import Foundation
import HTTPTypes
import Hummingbird

/// A typed API error that answers as RFC 9457 problem+json. Handlers throw these; the
/// `ProblemMiddleware` turns anything else into one too, so no failure leaks as plain text.
public struct Problem: Error, HTTPResponseError, CustomStringConvertible, Sendable {
    public var details: ProblemDetails
    public var headers: HTTPFields

    public var status: HTTPResponse.Status { .init(code: details.status) }

    public init(_ status: HTTPResponse.Status, detail: String? = nil, type: String = "about:blank", errors: [ProblemDetails.FieldError]? = nil, headers: HTTPFields = [:]) {
        self.details = ProblemDetails(type: type, title: status.reasonPhrase, status: status.code, detail: detail, errors: errors)
        self.headers = headers
    }

    public var description: String { "\(details.status) \(details.title): \(details.detail ?? "")" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var details = self.details
        details.instance = details.instance ?? request.uri.path
        details.requestId = details.requestId ?? context.logger[metadataKey: "request_id"]?.description
        return Problem.render(details, headers: headers)
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func render(_ details: ProblemDetails, headers extra: HTTPFields = [:]) -> Response {
        let body = (try? encoder.encode(details)) ?? Data(#"{"title":"Internal Server Error","status":500}"#.utf8)
        var headers = extra
        headers[.contentType] = ProblemDetails.mediaType
        return Response(status: .init(code: details.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension Problem {
    /// 400 naming the field that is wrong and, where there is one, the limit it broke.
    public static func invalidField(_ field: String, _ reason: String, limit: String? = nil) -> Problem {
        Problem(.badRequest, detail: "\(field): \(reason)", errors: [.init(field: field, reason: reason, limit: limit)])
    }

    public static func notFound(_ what: String) -> Problem {
        Problem(.notFound, detail: "\(what) was not found")
    }

    public static func unauthorized(_ why: String) -> Problem {
        Problem(.unauthorized, detail: why, headers: [.wwwAuthenticate: "Bearer"])
    }

    public static func forbidden(permission: String, scope: String) -> Problem {
        Problem(.forbidden, detail: "missing permission \(permission) in \(scope)")
    }

    public static func payloadTooLarge(_ field: String, limit: Int) -> Problem {
        Problem(.contentTooLarge, detail: "\(field) is larger than the limit of \(limit) bytes",
                errors: [.init(field: field, reason: "too large", limit: "\(limit) bytes")])
    }

    public static func conflict(_ detail: String) -> Problem {
        Problem(.conflict, detail: detail)
    }
}
