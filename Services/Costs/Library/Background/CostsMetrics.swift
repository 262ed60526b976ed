import CostsCore
import Foundation
import Prometheus

/// The costs service's own metrics, for the costs dashboard and alerts:
/// - `cumulus_cost_usd_total{federation,provider,component}`: metered cost so far, from the
///   line items in PostgreSQL (a gauge set from the database, not a per-process counter, so
///   replicas agree and a restart does not reset it; take `max` across replicas);
/// - `cumulus_budget_spent_ratio{federation,budget}`: spend in the current period over the limit;
/// - `cumulus_budget_spent_usd` and `cumulus_budget_limit_usd` with the same labels;
/// - `cumulus_usage_events_total{kind,outcome}`: events consumed (priced, unpriceable, malformed, duplicate);
/// - `cumulus_budget_threshold_crossings_total{percent}`: thresholds fired.
struct CostsMetrics: Sendable {
    let registry: PrometheusCollectorRegistry

    func usageEvent(kind: String, outcome: String) {
        registry.makeCounter(name: "cumulus_usage_events_total", labels: [("kind", kind), ("outcome", outcome)]).increment()
    }

    func crossings(_ count: Int, percent: Int) {
        registry.makeCounter(name: "cumulus_budget_threshold_crossings_total", labels: [("percent", String(percent))]).increment(by: Int64(count))
    }

    func cost(federation: UUID, provider: String, component: String, nanoDollars: Int64) {
        registry.makeGauge(name: "cumulus_cost_usd_total", labels: [
            ("federation", federation.uuidString.lowercased()), ("provider", provider), ("component", component),
        ]).set(Money(nanoDollars: nanoDollars).approximateDollars)
    }

    func budget(federation: UUID, budget: UUID, spent: Int64, limit: Int64) {
        let labels = [("federation", federation.uuidString.lowercased()), ("budget", budget.uuidString.lowercased())]
        registry.makeGauge(name: "cumulus_budget_spent_ratio", labels: labels).set(Double(spent) / Double(limit))
        registry.makeGauge(name: "cumulus_budget_spent_usd", labels: labels).set(Money(nanoDollars: spent).approximateDollars)
        registry.makeGauge(name: "cumulus_budget_limit_usd", labels: labels).set(Money(nanoDollars: limit).approximateDollars)
    }

    func removeBudget(federation: UUID, budget: UUID) {
        let labels = [("federation", federation.uuidString.lowercased()), ("budget", budget.uuidString.lowercased())]
        for name in ["cumulus_budget_spent_ratio", "cumulus_budget_spent_usd", "cumulus_budget_limit_usd"] {
            registry.unregisterGauge(registry.makeGauge(name: name, labels: labels))
        }
    }
}
