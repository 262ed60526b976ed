import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One request to a price or billing API: a deadline that holds even when the process is busy,
/// no redirects accepted, the answer read into memory up to a bound, and every transport failure
/// turned into `PriceFetchError.unavailable` naming the endpoint.
struct PricingHTTP: Sendable {
    let http: HTTPClient
    let timeout: TimeAmount
    let maxAnswerBytes: Int

    struct Answer: Sendable {
        var status: HTTPResponseStatus
        var body: ByteBuffer
        var data: Data { Data(body.readableBytesView) }
        var text: String { String(buffer: body) }
    }

    func send(_ request: HTTPClientRequest) async throws(PriceFetchError) -> Answer {
        let endpoint = ProviderExchange.label(request.url)
        do {
            let deadline = NIODeadline.now() + timeout
            let http = self.http
            let response = try await ProviderExchange.racing(timeout) { try await http.execute(request, deadline: deadline) }
            if response.history.count > 1 || (300..<400).contains(response.status.code) {
                throw PriceFetchError.unavailable(endpoint: endpoint, reason: "answered with a redirect, which is not followed")
            }
            let body = try await response.body.collect(upTo: maxAnswerBytes)
            return Answer(status: response.status, body: body)
        } catch let error as PriceFetchError {
            throw error
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            throw .unavailable(endpoint: endpoint, reason: "no answer within the time limit (\(error))")
        } catch is NIOTooManyBytesError {
            throw .unavailable(endpoint: endpoint, reason: "answer larger than \(maxAnswerBytes) bytes")
        } catch {
            throw .unavailable(endpoint: endpoint, reason: "request failed: \(error)")
        }
    }

    /// GETs `url` and returns the JSON object of a 2xx answer; an error answer becomes `.rejected`
    /// with the code and message the provider gave (Google's `error.status`, AWS's `Code`, …).
    func getJSONObject(_ url: String, headers: HTTPHeaders = [:]) async throws(PriceFetchError) -> [String: Any] {
        var request = HTTPClientRequest(url: url)
        request.headers = headers
        request.headers.replaceOrAdd(name: "Accept", value: "application/json")
        let answer = try await send(request)
        let endpoint = ProviderExchange.label(url)
        guard (200..<300).contains(answer.status.code) else { throw Self.rejection(answer, endpoint: endpoint) }
        guard let object = (try? JSONSerialization.jsonObject(with: answer.data)) as? [String: Any] else {
            throw .malformed(endpoint: endpoint, reason: "the answer is not a JSON object (HTTP \(answer.status.code))")
        }
        return object
    }

    /// An error answer, read as a Google (`{"error": {"status", "message"}}`), Azure
    /// (`{"Error": {"Code", "Message"}}`), AWS JSON (`{"__type", "message"}`) or AWS XML document.
    static func rejection(_ answer: Answer, endpoint: String) -> PriceFetchError {
        let status = Int(answer.status.code)
        if let object = (try? JSONSerialization.jsonObject(with: answer.data)) as? [String: Any] {
            if let error = (object["error"] ?? object["Error"]) as? [String: Any] {
                let code = (error["status"] ?? error["Code"] ?? error["code"]).map { "\($0)" } ?? "HTTP \(status)"
                let message = (error["message"] ?? error["Message"]).map { "\($0)" } ?? ""
                return .rejected(endpoint: endpoint, status: status, code: code, message: message)
            }
            if let type = object["__type"] as? String {
                let code = type.split(separator: "#").last.map(String.init) ?? type
                let message = (object["message"] ?? object["Message"]).map { "\($0)" } ?? ""
                return .rejected(endpoint: endpoint, status: status, code: code, message: message)
            }
        }
        let text = answer.text
        if let code = AWSQueryXML.text(of: "Code", in: text) {
            return .rejected(endpoint: endpoint, status: status, code: code, message: AWSQueryXML.text(of: "Message", in: text) ?? "")
        }
        return .rejected(endpoint: endpoint, status: status, code: "HTTP \(status)", message: String(text.prefix(200)))
    }

    /// Whether `link` points at the same scheme and host as `endpoint` (ports 443/80 implied), so
    /// a paging link can never send us, or our API key, elsewhere.
    static func sameOrigin(_ link: String, as endpoint: String) -> Bool {
        guard let a = URLComponents(string: link), let b = URLComponents(string: endpoint) else { return false }
        func port(_ c: URLComponents) -> Int? { c.port ?? (c.scheme?.lowercased() == "https" ? 443 : c.scheme?.lowercased() == "http" ? 80 : nil) }
        return a.scheme?.lowercased() == b.scheme?.lowercased() && a.host?.lowercased() == b.host?.lowercased() && port(a) == port(b)
    }
}
