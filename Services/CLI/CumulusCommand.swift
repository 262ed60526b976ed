import ArgumentParser
import CumulusAPI

/// `cumulus`, the command-line client of the platform.
@main
struct CumulusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cumulus",
        abstract: "Command-line client for the Cumulus federated-learning platform.",
        discussion: """
            Log in once (`cumulus login`); the session is kept in ~/.cumulus/session.json (0600).
            Exit codes: 0 success, 1 failure, 2 usage or login needed, 3 not found, 4 refused.
            Every listing takes --output json for scripts.
            """,
        version: CumulusVersion.current,
        subcommands: [Login.self, Federations.self, Nodes.self, Jobs.self, Models.self, Costs.self, Placement.self, Approvals.self,
                      Aggregate.self, Experiment.self, Demo.self]
    )
}
