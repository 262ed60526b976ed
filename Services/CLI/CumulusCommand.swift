import ArgumentParser
import CumulusAPI

/// `cumulus`, the command-line client. Its commands arrive with the services they drive; for
/// now it only reports its version.
@main
struct CumulusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cumulus",
        abstract: "Command-line client for the Cumulus federated-learning platform.",
        discussion: "Only --version and --help exist yet; login, federations, jobs and models arrive with their services.",
        version: CumulusVersion.current
    )
}
