/// Reads the few text elements we need from AWS Query-protocol XML answers
/// (`<GetCallerIdentityResponse>…<Arn>…</Arn>…` and `<ErrorResponse><Error><Code>…`).
///
/// A purpose-built reader rather than Foundation's XMLParser, which on Linux lives in
/// FoundationXML and drags libxml2 into every service image for three elements. It finds the
/// first element with the given local name (any namespace prefix, any attributes) whose content
/// is text, and decodes the predefined and numeric character references; CDATA, comments and
/// nested markup inside the element are not supported (AWS never sends them here), and such an
/// element counts as absent.
public enum AWSQueryXML {
    public static func text(of name: String, in xml: String) -> String? {
        var searchStart = xml.startIndex
        while let open = xml.range(of: "<", range: searchStart..<xml.endIndex) {
            searchStart = open.upperBound
            guard let close = xml.range(of: ">", range: open.upperBound..<xml.endIndex) else { return nil }
            let tag = xml[open.upperBound..<close.lowerBound]
            guard let first = tag.first, first != "/", first != "?", first != "!" else { continue }
            let tagName = tag.prefix { !$0.isWhitespace && $0 != "/" }
            let localName = tagName.split(separator: ":").last.map(String.init) ?? ""
            guard localName == name else { continue }
            if tag.hasSuffix("/") { return "" }
            guard let end = xml.range(of: "</\(tagName)>", range: close.upperBound..<xml.endIndex) else { return nil }
            let content = xml[close.upperBound..<end.lowerBound]
            if content.contains("<") { return nil }
            return decodeReferences(content)
        }
        return nil
    }

    static func decodeReferences(_ text: Substring) -> String {
        guard text.contains("&") else { return String(text) }
        var out = ""
        var rest = text
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semicolon = rest[amp...].firstIndex(of: ";"), rest.distance(from: amp, to: semicolon) <= 10 else {
                out += rest[amp...]
                return out
            }
            let entity = rest[rest.index(after: amp)..<semicolon]
            switch entity {
            case "lt": out += "<"
            case "gt": out += ">"
            case "amp": out += "&"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                let scalar: Unicode.Scalar? = if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                    UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
                } else if entity.hasPrefix("#") {
                    UInt32(entity.dropFirst(), radix: 10).flatMap(Unicode.Scalar.init)
                } else {
                    nil
                }
                if let scalar { out.unicodeScalars.append(scalar) } else { out += rest[amp...semicolon] }
            }
            rest = rest[rest.index(after: semicolon)...]
        }
        return out + rest
    }
}
