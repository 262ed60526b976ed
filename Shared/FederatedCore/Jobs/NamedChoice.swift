/// The check both job choices share: a known name, only the hyperparameters that name takes,
/// and finite values. `kind` is how messages name the choice ("strategy", "defence").
enum NamedChoice {
    static func problem(kind: String, name: String, hyperparameters: [String: Double], accepted: [String: Set<String>]) -> String? {
        guard let allowed = accepted[name] else {
            return "unknown \(kind) '\(name)'; choose one of \(accepted.keys.sorted().joined(separator: ", "))"
        }
        if let unknown = hyperparameters.keys.sorted().first(where: { !allowed.contains($0) }) {
            return "\(kind) \(name) has no hyperparameter '\(unknown)'" + (allowed.isEmpty ? "" : "; it takes \(allowed.sorted().joined(separator: ", "))")
        }
        if let bad = hyperparameters.keys.sorted().first(where: { !hyperparameters[$0]!.isFinite }) { return "hyperparameter \(bad) must be finite" }
        return nil
    }
}
