import ArgumentParser
import CumulusAPI
import CumulusClient
import Foundation

/// Where `cumulus login` keeps the session: `~/.cumulus/session.json`, readable by the user only.
struct Session: Codable {
    var gateway: String
    var accessToken: String
    var refreshToken: String
    var caFile: String?
    var insecure: Bool

    static var file: URL {
        URL(fileURLWithPath: ProcessInfo.processInfo.environment["CUMULUS_SESSION"]
            ?? ((ProcessInfo.processInfo.environment["HOME"] ?? ".") + "/.cumulus/session.json"))
    }

    static func load() throws -> Session {
        guard let data = try? Data(contentsOf: file) else {
            throw CLIError("not logged in: run `cumulus login --gateway https://… --email you@example.org`", code: 2)
        }
        return try JSONDecoder().decode(Session.self, from: data)
    }

    func save() throws {
        try FileManager.default.createDirectory(at: Self.file.deletingLastPathComponent(), withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let data = try JSONEncoder().encode(self)
        let fd = open(Self.file.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw CLIError("cannot write \(Self.file.path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        _ = fchmod(fd, 0o600)
        _ = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    /// A client carrying the session's token; refreshes it once when the gateway says it expired.
    func client() throws -> GatewayClient {
        let client = try GatewayClient(base: gateway, insecure: insecure, caFile: caFile)
        client.bearerToken = accessToken
        return client
    }
}

/// An error for the person at the terminal: what happened and what to do next, with an exit
/// code scripts can trust (1 failure, 2 usage or login, 3 not found, 4 refused).
struct CLIError: Error, CustomStringConvertible {
    let description: String
    let code: Int32
    init(_ description: String, code: Int32 = 1) { self.description = description; self.code = code }

    static func from(_ error: any Error) -> CLIError {
        if let cli = error as? CLIError { return cli }
        if let failure = error as? GatewayClient.Failure {
            switch failure.status {
            case 400?: return CLIError("\(failure.description)\n→ correct the field named above and run the command again", code: 2)
            case 401?: return CLIError("\(failure.description)\n→ your session expired or was revoked: run `cumulus login` again", code: 2)
            case 403?: return CLIError("\(failure.description)\n→ ask an administrator for the permission named above", code: 4)
            case 404?: return CLIError("\(failure.description)\n→ check the id, and that you can see it", code: 3)
            case 409?: return CLIError("\(failure.description)\n→ the thing is not in a state that allows this now; `show` it to see its state", code: 4)
            case nil: return CLIError("\(failure.description)\n→ is the gateway running and the URL right?", code: 1)
            default: return CLIError(failure.description, code: 1)
            }
        }
        return CLIError("\(error)")
    }
}

/// Says `message` to the person (standard error) and gives the exit code to throw: for input
/// refused before anything is sent, 2 (usage).
func refusal(_ message: String, code: Int32 = 2) -> ExitCode {
    FileHandle.standardError.write(Data("cumulus: \(message)\n".utf8))
    return ExitCode(code)
}

/// Runs `body` with the session's client, refreshing an expired token once, and turns errors
/// into messages and exit codes.
func withSession<T>(_ body: (GatewayClient) async throws -> T) async throws -> T {
    do {
        var session = try Session.load()
        let client = try session.client()
        defer { Task { await client.shutdown() } }
        do { return try await body(client) } catch let failure as GatewayClient.Failure where failure.status == 401 {
            let refresher = try GatewayClient(base: session.gateway, insecure: session.insecure, caFile: session.caFile)
            defer { Task { await refresher.shutdown() } }
            guard let pair = try await refresher.send(.POST, "/api/v1/auth/refresh", body: RefreshRequest(refreshToken: session.refreshToken),
                                                       as: TokenPair.self, authenticated: false) else { throw failure }
            session.accessToken = pair.accessToken
            session.refreshToken = pair.refreshToken
            try session.save()
            client.bearerToken = pair.accessToken
            return try await body(client)
        }
    } catch {
        let cli = CLIError.from(error)
        FileHandle.standardError.write(Data("cumulus: \(cli.description)\n".utf8))
        throw ExitCode(cli.code)
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case table, json }

struct OutputOptions: ParsableArguments {
    @Option(help: "table (for people) or json (for scripts).") var output: OutputFormat = .table
}

func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Columns padded to their widest cell.
func printTable(_ header: [String], _ rows: [[String]]) {
    let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
    }
    print(line(header))
    for row in rows { print(line(row)) }
}
