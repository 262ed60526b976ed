/// application/x-www-form-urlencoded bodies, encoded strictly (only RFC 3986 unreserved
/// characters stay; space is %20), which every provider's parser reads the same way.
public enum FormEncoding {
    public static func encode(_ fields: [(name: String, value: String)]) -> String {
        SigV4Encoding.query(fields)
    }

    public static let contentType = "application/x-www-form-urlencoded; charset=utf-8"
}
