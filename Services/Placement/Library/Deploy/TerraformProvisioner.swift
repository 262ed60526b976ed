import CumulusAPI
import Foundation
import Logging

/// Renders a Terraform configuration per deployment at creation (``TerraformRenderer``), and runs
/// `terraform` only when asked: `start` runs `init` and `apply`, reads the `endpoints` output;
/// `stop` runs `destroy`. Each run's output is appended to `terraform.log` in the folder.
///
/// Needs the terraform binary (none is installed with Cumulus: `start` fails with a message
/// naming it) and cloud credentials in the environment the way each provider reads them
/// (AWS_*, GOOGLE_APPLICATION_CREDENTIALS, OS_* / clouds.yaml).
struct TerraformProvisioner: Provisioner {
    let kind = ProvisionerKind.terraform
    let renderer: TerraformRenderer
    let dataDirectory: String
    let binary: String
    let logger: Logger

    /// Absolute, so the record and `terraform -chdir` name the same folder whatever the working directory.
    func directory(_ id: UUID) -> String {
        URL(fileURLWithPath: "\(dataDirectory)/deployments/\(id.uuidString.lowercased())/terraform").standardizedFileURL.path
    }

    func prepare(_ plan: DeploymentPlan) async throws -> String? {
        let folder = directory(plan.id)
        let files = try renderer.render(plan, into: folder)
        logger.info("terraform configuration rendered", metadata: ["deployment": "\(plan.id)", "directory": "\(folder)", "files": "\(files.count)"])
        return folder
    }

    func start(_ plan: DeploymentPlan) async throws -> [UUID: String] {
        let executable = try locate()
        if renderer.settings.aggregatorDownloadURL.isEmpty {
            throw ProvisionerError.notConfigured(variable: "CUMULUS_PLACEMENT_AGGREGATOR_DOWNLOAD_URL", why: "the cloud VMs need to know where to download the aggregator from")
        }
        if renderer.settings.aggregatorSHA256.isEmpty {
            throw ProvisionerError.notConfigured(variable: "CUMULUS_PLACEMENT_AGGREGATOR_SHA256", why: "the download is checked before it is installed")
        }
        let folder = directory(plan.id)
        try await run(executable, ["init", "-input=false", "-no-color"], in: folder)
        try await run(executable, ["apply", "-auto-approve", "-input=false", "-no-color"], in: folder)
        let output = try await run(executable, ["output", "-json", "endpoints"], in: folder)
        guard let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: String] else {
            throw ProvisionerError.commandFailed(command: "terraform output -json endpoints", status: 0, output: "not a map of strings: \(output)")
        }
        var endpoints: [UUID: String] = [:]
        for (key, value) in object { if let id = UUID(uuidString: key) { endpoints[id] = value } }
        return endpoints
    }

    func stop(_ plan: DeploymentPlan) async throws {
        let executable = try locate()
        try await run(executable, ["destroy", "-auto-approve", "-input=false", "-no-color"], in: directory(plan.id))
    }

    /// The terraform executable: a path as given, or the first match on PATH.
    func locate() throws -> String {
        let fileManager = FileManager.default
        if binary.contains("/") {
            guard fileManager.isExecutableFile(atPath: binary) else {
                throw ProvisionerError.missingBinary(name: binary, searched: binary, variable: "CUMULUS_PLACEMENT_TERRAFORM_BIN")
            }
            return binary
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") where fileManager.isExecutableFile(atPath: "\(folder)/\(binary)") {
            return "\(folder)/\(binary)"
        }
        throw ProvisionerError.missingBinary(name: binary, searched: path, variable: "CUMULUS_PLACEMENT_TERRAFORM_BIN")
    }

    /// Runs one terraform command in `folder`; returns its standard output, appends both
    /// streams to terraform.log, and throws with the output's end when it fails.
    @discardableResult
    func run(_ executable: String, _ arguments: [String], in folder: String) async throws -> String {
        let command = "terraform -chdir=\(folder) \(arguments.joined(separator: " "))"
        logger.info("running terraform", metadata: ["command": "\(command)"])
        let (status, output, errors) = try await ChildProcess.run(executable, ["-chdir=\(folder)"] + arguments)
        let log = "$ \(command)\n\(output)\(errors)\n[exit \(status)]\n"
        if let handle = FileHandle(forWritingAtPath: folder + "/terraform.log") ?? {
            FileManager.default.createFile(atPath: folder + "/terraform.log", contents: nil)
            return FileHandle(forWritingAtPath: folder + "/terraform.log")
        }() {
            handle.seekToEndOfFile()
            handle.write(Data(log.utf8))
            try? handle.close()
        }
        guard status == 0 else { throw ProvisionerError.commandFailed(command: command, status: status, output: errors.isEmpty ? output : errors) }
        return output
    }
}

/// A child process run to completion without blocking a cooperative thread.
enum ChildProcess {
    static func run(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        // Read both pipes while the process runs (so a chatty child never blocks on a full pipe),
        // on Dispatch threads: a blocking read must not hold one of the few cooperative threads.
        async let out = drain(output.fileHandleForReading)
        async let err = drain(errors.fileHandleForReading)
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                try? output.fileHandleForWriting.close()
                try? errors.fileHandleForWriting.close()
                continuation.resume(throwing: error)
            }
        }
        return (status, String(decoding: await out, as: UTF8.self), String(decoding: await err, as: UTF8.self))
    }

    private static func drain(_ handle: FileHandle) async -> Data {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: handle.readDataToEndOfFile()) }
        }
    }
}
