/// The parts of an absolute http(s) URL that Signature Version 4 signs, taken from the URL
/// exactly as it will go on the wire (percent-escapes untouched). Written by hand rather than
/// with Foundation's URL so that what is signed is byte for byte what is sent.
struct SigV4URL: Sendable, Hashable {
    /// Lower-cased scheme: "http" or "https".
    var scheme: String
    /// Host header value: lower-cased host, with the port only when it is not the scheme's default.
    var hostHeader: String
    /// The path as sent, percent-escapes kept; empty when the URL has none.
    var path: String
    /// The query as sent, without "?"; nil when absent.
    var query: String?

    init(_ url: String) throws(SigV4Error) {
        guard let schemeEnd = url.range(of: "://") else {
            throw .invalidURL(url, reason: "not an absolute URL")
        }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else {
            throw .invalidURL(url, reason: "scheme must be http or https")
        }
        var rest = url[schemeEnd.upperBound...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        let afterAuthority = rest[authorityEnd...]
        let queryStart = afterAuthority.firstIndex(of: "?")
        self.path = String(afterAuthority[..<(queryStart ?? afterAuthority.endIndex)])
        self.query = queryStart.map { String(afterAuthority[afterAuthority.index(after: $0)...]) }
        self.scheme = scheme

        var host = Substring(authority)
        var port: Substring?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { throw .invalidURL(url, reason: "unterminated IPv6 address") }
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") { port = after.dropFirst() } else if !after.isEmpty {
                throw .invalidURL(url, reason: "unexpected characters after IPv6 address")
            }
            host = host[...close]
        } else if let colon = host.lastIndex(of: ":") {
            port = host[host.index(after: colon)...]
            host = host[..<colon]
        }
        guard !host.isEmpty else { throw .invalidURL(url, reason: "no host") }
        var hostHeader = host.lowercased()
        if let port, !port.isEmpty {
            guard let number = Int(port), (1...65535).contains(number) else { throw .invalidURL(url, reason: "bad port") }
            let defaultPort = scheme == "https" ? 443 : 80
            if number != defaultPort { hostHeader += ":\(number)" }
        }
        self.hostHeader = hostHeader
    }
}
