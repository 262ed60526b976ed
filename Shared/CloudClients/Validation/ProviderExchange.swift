import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// One request to a provider with a deadline, its answer read into memory up to a bound, and
/// every transport failure turned into `.providerUnavailable` naming the endpoint (scheme, host,
/// port and path only: queries are dropped) and the cause.
struct ProviderExchange: Sendable {
    let provider: CloudProvider
    let http: HTTPClient
    let timeout: TimeAmount

    /// Token and identity answers are a few KiB; anything far larger is not one of them.
    static let maxAnswerBytes = 256 * 1024

    struct Answer: Sendable {
        var status: HTTPResponseStatus
        var headers: HTTPHeaders
        var body: ByteBuffer

        var bytes: [UInt8] { Array(body.readableBytesView) }
    }

    func send(_ request: HTTPClientRequest) async throws(CredentialValidationError) -> Answer {
        let endpoint = Self.label(request.url)
        do {
            let deadline = NIODeadline.now() + timeout
            let response = try await Self.racing(timeout) { try await http.execute(request, deadline: deadline) }
            // The answer must come from the endpoint we chose; a client that follows redirects
            // would otherwise hand us someone else's answer (and may have sent our request on).
            if response.history.count > 1 {
                throw CredentialValidationError.providerUnavailable(
                    provider: provider, endpoint: endpoint, reason: "answered with a redirect, which is not accepted")
            }
            let body = try await response.body.collect(upTo: Self.maxAnswerBytes)
            return Answer(status: response.status, headers: response.headers, body: body)
        } catch let error as CredentialValidationError {
            throw error
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            throw unavailable(endpoint, "no answer within \(Self.seconds(timeout)) (\(error))")
        } catch let error as NIOTooManyBytesError {
            throw unavailable(endpoint, "answer larger than \(Self.maxAnswerBytes) bytes (\(error))")
        } catch is CancellationError {
            throw unavailable(endpoint, "request cancelled")
        } catch {
            throw unavailable(endpoint, "request failed: \(error)")
        }
    }

    /// Runs `body` but gives up after `timeout` whatever it is doing. The client's own deadline
    /// is not enough alone: when the process is busy, a deadline that passes before the request
    /// is registered can be missed, and the request then waits for the provider indefinitely.
    static func racing(_ timeout: TimeAmount, _ body: @escaping @Sendable () async throws -> HTTPClientResponse) async throws -> HTTPClientResponse {
        try await withThrowingTaskGroup(of: HTTPClientResponse?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(nanoseconds: UInt64(max(timeout.nanoseconds, 0)))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let response = first else { throw HTTPClientError.deadlineExceeded }
            return response
        }
    }

    /// An answer we did not expect: named by its status only, since a body could hold anything.
    func unexpected(_ answer: Answer, url: String, _ what: String) -> CredentialValidationError {
        unavailable(Self.label(url), "\(what) (HTTP \(answer.status.code))")
    }

    func unavailable(_ endpoint: String, _ reason: String) -> CredentialValidationError {
        .providerUnavailable(provider: provider, endpoint: endpoint, reason: reason)
    }

    /// scheme://host[:port]/path, without user info, query or fragment.
    static func label(_ url: String) -> String {
        var text = Substring(url)
        if let cut = text.firstIndex(where: { $0 == "?" || $0 == "#" }) { text = text[..<cut] }
        if let schemeEnd = text.range(of: "://") {
            let rest = text[schemeEnd.upperBound...]
            let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@") {
                text = text[..<schemeEnd.upperBound] + rest[rest.index(after: at)...]
            }
        }
        return String(text)
    }

    private static func seconds(_ amount: TimeAmount) -> String {
        let milliseconds = amount.nanoseconds / 1_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(milliseconds) ms"
    }
}
