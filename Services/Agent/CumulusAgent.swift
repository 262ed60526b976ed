import ArgumentParser
import CumulusAPI

/// `cumulus-agent`, the participant-side process. Enrolment, heartbeats and training arrive with
/// the orchestrator and training issues; for now it only reports its version.
@main
struct CumulusAgent: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cumulus-agent",
        abstract: "Runs on a participant's node: enrols it, reports its health and trains on its local data.",
        discussion: "Only --version and --help exist yet; enrol and run arrive with the orchestrator issue.",
        version: CumulusVersion.current
    )
}
