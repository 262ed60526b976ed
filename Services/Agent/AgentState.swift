import CumulusAPI
import CumulusClient
import Crypto
import Foundation

/// What `enroll` leaves in the agent's state folder: the private keys (never sent anywhere) and
/// the node's credential. Files are created readable by the agent's user only (0600, folder 0700).
struct AgentState {
    struct Credential: Codable {
        var nodeId: UUID
        var organisationId: UUID
        var federationId: UUID
        var gateway: String
        var hostname: String
        var location: NodeLocation
    }

    let folder: URL
    var credentialFile: URL { folder.appending(path: "credential.json") }
    var signingKeyFile: URL { folder.appending(path: "signing.key") }
    var agreementKeyFile: URL { folder.appending(path: "agreement.key") }

    static func defaultFolder() -> String {
        (ProcessInfo.processInfo.environment["HOME"] ?? ".") + "/.cumulus-agent"
    }

    func create(credential: Credential, signing: Curve25519.Signing.PrivateKey, agreement: Curve25519.KeyAgreement.PrivateKey) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder.path)
        try Self.writePrivate(signingKeyFile, Data(signing.rawRepresentation.base64EncodedString().utf8))
        try Self.writePrivate(agreementKeyFile, Data(agreement.rawRepresentation.base64EncodedString().utf8))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try Self.writePrivate(credentialFile, try encoder.encode(credential))
    }

    func load() throws -> (Credential, Curve25519.Signing.PrivateKey, Curve25519.KeyAgreement.PrivateKey) {
        guard FileManager.default.fileExists(atPath: credentialFile.path) else {
            throw AgentError("no credential in \(folder.path); run `cumulus-agent enroll --gateway URL --token T` first")
        }
        let credential = try JSONDecoder().decode(Credential.self, from: Data(contentsOf: credentialFile))
        guard let signing = Data(base64Encoded: try String(contentsOf: signingKeyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)),
              let agreement = Data(base64Encoded: try String(contentsOf: agreementKeyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))
        else { throw AgentError("the key files in \(folder.path) are damaged; enrol the node again") }
        return (credential, try Curve25519.Signing.PrivateKey(rawRepresentation: signing), try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: agreement))
    }

    /// Created with 0600 from the start, so the secret is never readable by others, even briefly.
    static func writePrivate(_ url: URL, _ data: Data) throws {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw AgentError("cannot write \(url.path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        _ = fchmod(fd, 0o600)
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == data.count else { throw AgentError("cannot write \(url.path): short write") }
    }
}

struct AgentError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One JSON line per event on standard error, like the services' logs.
enum AgentLog {
    static func info(_ message: String, _ fields: [String: String] = [:]) { emit("info", message, fields) }
    static func warning(_ message: String, _ fields: [String: String] = [:]) { emit("warning", message, fields) }
    static func error(_ message: String, _ fields: [String: String] = [:]) { emit("error", message, fields) }

    static func emit(_ level: String, _ message: String, _ fields: [String: String]) {
        var object = fields
        object["level"] = level
        object["message"] = message
        object["timestamp"] = ISO8601DateFormatter().string(from: .now)
        object["component"] = "cumulus-agent"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var line = try? encoder.encode(object) else { return }
        line.append(0x0A)
        FileHandle.standardError.write(line)
    }
}

/// The shared backoff, reporting each retry in the agent's log.
func withBackoff<T>(_ what: String, _ body: @Sendable () async throws -> T) async throws -> T {
    try await CumulusClient.withBackoff(what, onRetry: { AgentLog.warning($0, $1) }, body)
}
