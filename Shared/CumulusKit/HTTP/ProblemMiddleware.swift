import CumulusAPI
import Hummingbird
import Logging
import PostgresNIO

/// Turns every error a handler throws into problem+json. Client mistakes keep their status and
/// message; anything unexpected is logged in full and answers a bare 500 with the request id, so
/// internals never reach the client.
public struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as PostgresTransactionError where error.closureError != nil && error.rollbackError == nil {
            // A handler's own error thrown inside a transaction: answer it as if thrown outside.
            return try await handle(request, context: context) { _, _ in throw error.closureError! }
        } catch let problem as Problem {
            return try problem.response(from: request, context: context)
        } catch let error as HTTPError {
            var problem = Problem(error.status, detail: error.body ?? Self.defaultDetail(error.status, path: request.uri.path), headers: error.headers)
            problem.headers[.contentType] = nil
            return try problem.response(from: request, context: context)
        } catch let error as any HTTPResponseError where error.status.code < 500 {
            return try Problem(error.status, detail: "\(error)").response(from: request, context: context)
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            return try Problem(.internalServerError, detail: "an internal error occurred; quote the request id when reporting it")
                .response(from: request, context: context)
        }
    }

    static func defaultDetail(_ status: HTTPResponse.Status, path: String) -> String {
        switch status {
        case .notFound: "no resource at \(path)"
        case .methodNotAllowed: "this method is not allowed on \(path)"
        case .contentTooLarge: "the request body is larger than this endpoint accepts"
        default: status.reasonPhrase
        }
    }
}
