import CumulusAPI
import CumulusKit
import Foundation
import PlacementCore

/// A placement request checked and translated into PlacementCore's terms. Built by
/// ``PlacementValidation``; every refusal there is a 400 naming the field and the limit.
struct PlacementQuestion: Sendable {
    var request: NewPlacement
    var participants: [RegionID]
    var workload: FederationWorkload
    var constraints: PlacementConstraints
    var preference: Double
    var mode: PlacementMode
    var hierarchical: Hierarchical?
    var baselineSeed: UInt64
    var rounds: Int?

    struct Hierarchical: Sendable {
        var regionalCount: Int
        var configuration: NSGA2Configuration
    }
}

/// Checks of what callers send. Limits keep one request's work bounded (the service runs the
/// planners on its own threads); values no real federation has are refused, not clamped.
enum PlacementValidation {
    static let maxParticipants = 1000
    static let maxModelBytes = 1e12
    static let maxRegionalCount = 20
    static let maxPopulation = 500
    static let maxGenerations = 1000
    /// populationSize × (generations + 1): NSGA-II evaluations per request.
    static let maxEvaluations = 200_000

    /// Everything but the participants, which may come from the orchestrator afterwards.
    static func check(_ body: NewPlacement) throws {
        try range(body.modelBytes, 1...maxModelBytes, "modelBytes", limit: "1 to 1e12 bytes")
        if let update = body.updateBytes { try range(update, 0...maxModelBytes, "updateBytes", limit: "0 to 1e12 bytes") }
        if let rounds = body.rounds { try range(Double(rounds), 1...10_000_000, "rounds") }
        switch (body.roundIntervalSeconds, body.roundsPerMonth) {
        case (nil, nil):
            throw Problem.invalidField("roundIntervalSeconds", "give the expected round frequency: roundIntervalSeconds or roundsPerMonth")
        case (.some, .some):
            throw Problem.invalidField("roundsPerMonth", "give roundIntervalSeconds or roundsPerMonth, not both")
        case let (interval?, nil):
            try range(interval, 1...31_536_000, "roundIntervalSeconds", limit: "1 to 31536000 seconds")
        case let (nil, perMonth?):
            try range(perMonth, 0.001...2_628_000, "roundsPerMonth", limit: "0.001 to 2628000")
        }
        if let preference = body.preference { try range(preference, 0...1, "preference", limit: "0 to 1") }
        if let participants = body.participants {
            guard !participants.isEmpty else { throw Problem.invalidField("participants", "must list at least one participant, or be left out", limit: "1") }
            var total = 0
            for (index, participant) in participants.enumerated() {
                _ = try region(provider: participant.provider, region: participant.region, field: "participants[\(index)]")
                if let count = participant.count { try range(Double(count), 1...Double(maxParticipants), "participants[\(index)].count") }
                total += participant.count ?? 1
            }
            guard total <= maxParticipants else {
                throw Problem.invalidField("participants", "has \(total) participants; at most \(maxParticipants)", limit: String(maxParticipants))
            }
        }
        _ = try constraints(body.constraints)
        switch body.mode ?? .single {
        case .single:
            if body.hierarchical != nil { throw Problem.invalidField("hierarchical", "only with mode hierarchical") }
        case .hierarchical:
            guard let settings = body.hierarchical else {
                throw Problem.invalidField("hierarchical", "mode hierarchical needs hierarchical.regionalCount (and optionally populationSize, generations, seed)")
            }
            _ = try hierarchical(settings)
        }
    }

    /// The question for a request whose participants are known (given or resolved).
    static func question(_ body: NewPlacement, participants: [RegionID]) throws -> PlacementQuestion {
        try check(body)
        guard !participants.isEmpty else { throw Problem.invalidField("participants", "no participant location is known", limit: "1") }
        let schedule: RoundSchedule = body.roundIntervalSeconds.map { .interval(seconds: $0) } ?? .roundsPerMonth(body.roundsPerMonth ?? 0)
        var normalised = body
        normalised.preference = body.preference ?? 0.5
        normalised.mode = body.mode ?? .single
        normalised.baselineSeed = body.baselineSeed ?? 0
        normalised.updateBytes = body.updateBytes ?? body.modelBytes
        var settings: PlacementQuestion.Hierarchical?
        if normalised.mode == .hierarchical, let given = body.hierarchical {
            settings = try hierarchical(given)
            normalised.hierarchical = HierarchicalSettingsInput(
                regionalCount: given.regionalCount, populationSize: settings!.configuration.populationSize,
                generations: settings!.configuration.generations, seed: settings!.configuration.seed)
        }
        return PlacementQuestion(
            request: normalised, participants: participants,
            workload: FederationWorkload(participants: participants, modelBytes: body.modelBytes, updateBytes: body.updateBytes, schedule: schedule),
            constraints: try constraints(body.constraints), preference: normalised.preference!, mode: normalised.mode!,
            hierarchical: settings, baselineSeed: normalised.baselineSeed!, rounds: body.rounds)
    }

    static func hierarchical(_ settings: HierarchicalSettingsInput) throws -> PlacementQuestion.Hierarchical {
        try range(Double(settings.regionalCount), 1...Double(maxRegionalCount), "hierarchical.regionalCount")
        let population = settings.populationSize ?? 100
        let generations = settings.generations ?? 200
        try range(Double(population), 2...Double(maxPopulation), "hierarchical.populationSize")
        try range(Double(generations), 0...Double(maxGenerations), "hierarchical.generations")
        let evaluations = population * (generations + 1)
        guard evaluations <= maxEvaluations else {
            throw Problem.invalidField("hierarchical.generations", "populationSize × (generations + 1) is \(evaluations) evaluations; at most \(maxEvaluations)",
                                       limit: String(maxEvaluations))
        }
        return .init(regionalCount: settings.regionalCount,
                     configuration: NSGA2Configuration(populationSize: population, generations: generations, seed: settings.seed ?? 0))
    }

    static func constraints(_ input: PlacementConstraintsInput?) throws -> PlacementConstraints {
        guard let input else { return PlacementConstraints() }
        var constraints = PlacementConstraints()
        if let value = input.maxMonthlyCostUSD {
            try range(value, 0...1e9, "constraints.maxMonthlyCostUSD")
            constraints.maxMonthlyCostUSD = value
        }
        if let value = input.maxRoundSeconds {
            try range(value, 0.001...1e6, "constraints.maxRoundSeconds", limit: "0.001 to 1000000 seconds")
            constraints.maxRoundTimeSeconds = value
        }
        if let value = input.minVCPU {
            try range(Double(value), 0...4096, "constraints.minVCPU")
            constraints.minVCPU = value
        }
        if let value = input.minMemoryGB {
            try range(value, 0...65_536, "constraints.minMemoryGB")
            constraints.minMemoryGB = value
        }
        if let providers = input.allowedProviders {
            guard !providers.isEmpty else { throw Problem.invalidField("constraints.allowedProviders", "must name at least one provider, or be left out", limit: "1") }
            constraints.allowedProviders = Set(try providers.enumerated().map { try provider($0.element, field: "constraints.allowedProviders[\($0.offset)]") })
        }
        if let regions = input.allowedRegions {
            guard !regions.isEmpty else { throw Problem.invalidField("constraints.allowedRegions", "must name at least one region, or be left out", limit: "1") }
            try count(regions.count, 500, "constraints.allowedRegions")
            constraints.allowedRegions = Set(try regions.enumerated().map {
                try region(provider: $0.element.provider, region: $0.element.region, field: "constraints.allowedRegions[\($0.offset)]")
            })
        }
        if let text = input.residency { constraints.residency = try residency(text) }
        return constraints
    }

    /// `anywhere`, `eu`, `continents:europe,asia`, `countries:DE,FR`.
    static func residency(_ text: String) throws -> Residency {
        let field = "constraints.residency"
        let grammar = "anywhere, eu, continents:<name>[,<name>…] or countries:<ISO code>[,…]"
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        switch trimmed.lowercased() {
        case "anywhere": return .anywhere
        case "eu", "eu-only", "european-union": return .europeanUnion
        default: break
        }
        let parts = trimmed.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { throw Problem.invalidField(field, "must be \(grammar); got \(text)", limit: grammar) }
        let values = parts[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !values.isEmpty, values.count <= 300 else { throw Problem.invalidField(field, "must list 1 to 300 values after '\(parts[0]):'", limit: "300") }
        switch parts[0].lowercased() {
        case "continents":
            let known = Continent.allCases.map(\.rawValue)
            return .continents(Set(try values.map { value in
                guard let continent = Continent.allCases.first(where: { $0.rawValue.lowercased() == value.lowercased() }) else {
                    throw Problem.invalidField(field, "unknown continent \(value); known: \(known.joined(separator: ", "))", limit: known.joined(separator: ", "))
                }
                return continent
            }))
        case "countries":
            return .countries(Set(try values.map { value in
                guard value.count == 2, value.allSatisfy({ $0.isASCII && $0.isLetter }) else {
                    throw Problem.invalidField(field, "country \(value) is not an ISO 3166-1 alpha-2 code", limit: "2 letters")
                }
                return value.uppercased()
            }))
        default:
            throw Problem.invalidField(field, "must be \(grammar); got \(text)", limit: grammar)
        }
    }

    static func provider(_ name: String, field: String) throws -> Provider {
        guard let provider = Provider(catalogueName: name) else {
            let known = Provider.allCases.map(\.rawValue).joined(separator: ", ")
            throw Problem.invalidField(field, "unknown provider \(name); known: \(known)", limit: known)
        }
        return provider
    }

    static func region(provider name: String, region: String, field: String) throws -> RegionID {
        let provider = try provider(name, field: "\(field).provider")
        let text = try Validation.text(region, field: "\(field).region", length: 1...64)
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw Problem.invalidField("\(field).region", "must be letters, digits, '-' or '_'")
        }
        return RegionID(provider, text)
    }

    /// Every participant region must have latencies in the catalogue, or no option could be timed.
    static func participantsKnown(_ participants: [RegionID], field: (Int) -> String, in catalogue: CloudCatalogue) throws {
        let known = Set(catalogue.latency.regions)
        for (index, region) in participants.enumerated() where !known.contains(region) {
            throw Problem.invalidField(field(index), "\(region) has no latency measurements in the catalogue (\(known.count) regions have)",
                                       limit: "a region of the latency matrix")
        }
    }

    // MARK: helpers

    static func range(_ value: Double, _ allowed: ClosedRange<Double>, _ field: String, limit: String? = nil) throws {
        guard value.isFinite, allowed.contains(value) else {
            let shown = limit ?? "\(format(allowed.lowerBound)) to \(format(allowed.upperBound))"
            throw Problem.invalidField(field, "must be \(shown); got \(format(value))", limit: shown)
        }
    }

    static func count(_ count: Int, _ maximum: Int, _ field: String) throws {
        guard count <= maximum else { throw Problem.invalidField(field, "has \(count) entries; at most \(maximum)", limit: String(maximum)) }
    }

    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
