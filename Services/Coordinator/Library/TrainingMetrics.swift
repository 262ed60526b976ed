import Foundation
import Prometheus
import Synchronization

/// What the coordinator exports about training, for the Grafana training dashboard and the
/// round-stalled alert. Per-job series carry `job_id` (never `job`, which Prometheus keeps for
/// the scrape target); there is one series per job and label value, gone at restart.
final class TrainingMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    /// The jobs whose deadline gauge is exported now.
    private let shown = Mutex<Set<UUID>>([])

    init(registry: PrometheusCollectorRegistry) { self.registry = registry }

    /// Round durations reach from seconds (the tests) to an hour (deadlines).
    static let durationBuckets: [Double] = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600]

    func updateReceived(outcome: String, reason: String) {
        registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "cumulus", metricName: "updates", unitName: "total", helpText: "Model updates received, by outcome and reason."),
                             labels: [("outcome", outcome), ("reason", reason)]).increment()
    }

    func roundOpened(job: UUID, participants: Int) {
        participantsGauge(job, "selected").set(Int64(participants))
    }

    /// `cumulus_rounds_open` (always present, so a dashboard can show 0) and
    /// `cumulus_round_deadline_timestamp_seconds` for exactly the rounds open now. Read from the
    /// database every tick, so a new leader shows rounds its predecessor opened and a cancelled
    /// job's round disappears. A round still open well past its deadline means the round loop is
    /// stuck (the RoundStalled alert).
    func openRounds(_ rounds: [(job: UUID, deadlineAt: Date)]) {
        registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "cumulus", metricName: "rounds_open", unitName: "",
                                                            helpText: "Rounds waiting for updates now."),
                           labels: []).set(Int64(rounds.count))
        let open = Set(rounds.map(\.job))
        for (job, deadlineAt) in rounds { deadlineGauge(job).set(deadlineAt.timeIntervalSince1970) }
        let closed = shown.withLock { shown in
            let closed = shown.subtracting(open)
            shown = open
            return closed
        }
        for job in closed { registry.unregisterGauge(deadlineGauge(job)) }
    }

    /// A round closed: `completed` (a new global model) or `failed` (too few updates).
    func roundClosed(job: UUID, outcome: String, openedAt: Double, accepted: Int, stragglers: Int) {
        registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "cumulus", metricName: "rounds", unitName: "total", helpText: "Training rounds closed, by outcome."),
                             labels: [("outcome", outcome)]).increment()
        registry.makeValueHistogram(descriptor: MetricNameDescriptor(namespace: "cumulus", metricName: "round_duration", unitName: "seconds",
                                                                     helpText: "From a round's opening to its close."),
                                    buckets: Self.durationBuckets).record(max(0, Date.now.timeIntervalSince1970 - openedAt))
        participantsGauge(job, "accepted").set(Int64(accepted))
        participantsGauge(job, "straggled").set(Int64(stragglers))
    }

    func evaluated(job: UUID, accuracy: Double?, loss: Double?) {
        if let accuracy {
            registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "cumulus", metricName: "job_accuracy", unitName: "",
                                                                helpText: "The job's latest federated evaluation accuracy (0 to 1)."),
                               labels: [("job_id", Self.label(job))]).set(accuracy)
        }
        if let loss {
            registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "cumulus", metricName: "job_loss", unitName: "",
                                                                helpText: "The job's latest federated evaluation loss."),
                               labels: [("job_id", Self.label(job))]).set(loss)
        }
    }

    /// ε the job has spent so far (Rényi accountant, for the job's δ).
    func privacySpent(job: UUID, epsilon: Double) {
        registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "cumulus", metricName: "job_privacy_epsilon", unitName: "",
                                                            helpText: "Differential-privacy ε the job has spent so far (for its δ)."),
                           labels: [("job_id", Self.label(job))]).set(epsilon)
    }

    private func deadlineGauge(_ job: UUID) -> Gauge {
        registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "cumulus", metricName: "round_deadline_timestamp", unitName: "seconds",
                                                            helpText: "When the job's open round must close (Unix time); absent when none is open."),
                           labels: [("job_id", Self.label(job))])
    }

    private func participantsGauge(_ job: UUID, _ state: String) -> Gauge {
        registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "cumulus", metricName: "round_participants", unitName: "",
                                                            helpText: "Participants of the job's latest round: selected, accepted (update in) and straggled."),
                           labels: [("job_id", Self.label(job)), ("state", state)])
    }

    static func label(_ job: UUID) -> String { job.uuidString.lowercased() }
}
