import CumulusAPI
import CumulusKit
import Foundation

/// What a deployment asks a provisioner to run: the aggregators of one front point.
struct DeploymentPlan: Sendable {
    var id: UUID
    var federationId: UUID
    var placementId: UUID
    var frontIndex: Int
    var aggregators: [PlannedAggregator]
}

struct PlannedAggregator: Sendable, Equatable {
    var id: UUID
    /// `single`, `global` or `regional`.
    var role: String
    var slot: Int?
    var site: AggregatorSite
}

/// Turns a chosen placement point into running aggregators, and back. The service records
/// status, endpoints and usage around these calls; a provisioner only does the work.
protocol Provisioner: Sendable {
    var kind: ProvisionerKind { get }
    /// At creation: anything that can be done without starting machines (render configuration).
    /// Returns the folder it wrote, if any.
    func prepare(_ plan: DeploymentPlan) async throws -> String?
    /// Starts every aggregator; returns each one's endpoint base URL by aggregator id.
    func start(_ plan: DeploymentPlan) async throws -> [UUID: String]
    /// Stops every aggregator of the plan; stopping what is not running is not an error.
    func stop(_ plan: DeploymentPlan) async throws
}

/// Why a provisioner could not do its work. At the HTTP edge these are 502/503 problems that
/// say what to install or configure; they are never the caller's fault.
enum ProvisionerError: Error, CustomStringConvertible {
    /// A program the provisioner runs is not installed.
    case missingBinary(name: String, searched: String, variable: String)
    /// A setting the rendered configuration needs is empty.
    case notConfigured(variable: String, why: String)
    /// A program ran and failed.
    case commandFailed(command: String, status: Int32, output: String)
    /// The embedded endpoint could not listen.
    case listenFailed(host: String, detail: String)
    case missingFiles(path: String, variable: String)

    var description: String {
        switch self {
        case let .missingBinary(name, searched, variable):
            "the \(name) binary is not installed: no executable '\(name)' on PATH (\(searched)); install Terraform >= 1.5 or point \(variable) at it"
        case let .notConfigured(variable, why): "\(variable) is not set: \(why)"
        case let .commandFailed(command, status, output): "`\(command)` exited with status \(status): \(output.suffix(1500))"
        case let .listenFailed(host, detail): "the embedded aggregator could not listen on \(host): \(detail)"
        case let .missingFiles(path, variable): "the Terraform modules are not at \(path) (set \(variable))"
        }
    }

    var problem: Problem {
        switch self {
        case .commandFailed: Problem(.badGateway, detail: description)
        default: Problem(.serviceUnavailable, detail: description)
        }
    }
}
