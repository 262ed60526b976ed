import PlacementCore

/// The comparison and estimate wizard: a template priced in every region of the catalogue.
///
/// The arithmetic is PlacementCore's ``CostModel`` (instance hours × hourly price; per round,
/// the model down billed at the aggregator's egress price and each update up at its
/// participant's), with `hoursPerMonth` set to the template's hours and the rounds counted
/// over them — the same model placement ranks aggregators by, so the wizard and a placement
/// agree. Per region the cheapest offer meeting the size is taken (egress depends on the
/// region only, so it is also the cheapest total there). The modelled `Double`s become
/// ``Money`` once, per part: an estimate, unlike a bill, is allowed that rounding.
public struct Estimator: Sendable {
    public let catalogue: CloudCatalogue
    let index: OfferIndex

    public init(catalogue: CloudCatalogue) {
        self.catalogue = catalogue
        index = OfferIndex(catalogue.offers)
    }

    public func estimate(_ template: EstimateTemplate) throws(EstimateError) -> Estimate {
        try template.validate()
        let costModel = CostModel(egress: catalogue.egress, hoursPerMonth: template.hours)
        let timeModel = RoundTimeModel(latency: catalogue.latency)
        let constraints = template.constraints
        let down = Double(template.modelBytes), up = Double(template.updateBytes ?? template.modelBytes)
        let rounds = Double(template.rounds)

        var options: [EstimateOption] = []
        var withoutOffer: [RegionID] = []
        for region in index.regions {
            guard let offer = index.cheapest(in: region, meeting: template.resources) else {
                withoutOffer.append(region)
                continue
            }
            var serverUSD = 0.0, clientUSD = 0.0
            var slowest: Double? = 0
            for participant in template.participants {
                let usd = costModel.exchangeUSD(server: region, client: participant, downBytes: down, upBytes: up)
                serverUSD += usd.server
                clientUSD += usd.client
                let seconds = timeModel.exchangeSeconds(between: region, and: participant, downBytes: down, upBytes: up)
                slowest = seconds.flatMap { seconds in slowest.map { max($0, seconds) } }
            }
            guard let instance = Money(approximately: costModel.instanceMonthlyUSD(offer)),
                  let aggregatorEgress = Money(approximately: serverUSD * rounds),
                  let participantEgress = Money(approximately: clientUSD * rounds)
            else { throw .amountTooLarge(region) }
            options.append(EstimateOption(
                offer: offer, instance: instance, aggregatorEgress: aggregatorEgress,
                participantEgress: participantEgress,
                roundTimeSeconds: template.participants.isEmpty ? nil : slowest,
                excludedBy: constraints.regionViolation(offer.region)))
        }
        options.sort { ($0.total, $0.region, $0.offer.instanceType) < ($1.total, $1.region, $1.offer.instanceType) }
        let recommended = options.first(where: \.isAllowed)
        return Estimate(
            options: options, regionsWithoutOffer: withoutOffer, recommended: recommended,
            reason: Self.reason(template, options, recommended, regionsWithoutOffer: withoutOffer.count))
    }

    static func reason(
        _ template: EstimateTemplate, _ options: [EstimateOption], _ recommended: EstimateOption?, regionsWithoutOffer: Int
    ) -> String {
        let scope = template.hasRegionRules ? "in an allowed region" : "in any region"
        guard let recommended else {
            if options.isEmpty {
                return "no offer in the catalogue meets \(template.resources) (\(regionsWithoutOffer) regions checked)"
            }
            let counts = Dictionary(grouping: options.compactMap(\.excludedBy?.kind), by: { $0 }).mapValues(\.count)
            let why = Infeasibility.Kind.allCases.compactMap { kind in counts[kind].map { "\($0) × \(kind.rawValue)" } }
            return "no allowed region has an offer meeting \(template.resources); \(options.count) regions that do are excluded ("
                + why.joined(separator: ", ") + ")"
        }
        var text = "cheapest offer meeting \(template.resources) \(scope): \(recommended.offer.instanceType) in "
            + "\(recommended.region) at \(recommended.total.formatted()) for \(Self.number(template.hours)) h and "
            + "\(template.rounds) rounds; egress is \(recommended.egressPercent) % of the cost"
        let cheaperExcluded = options.prefix { $0 != recommended }.filter { !$0.isAllowed }
        if let cheapest = cheaperExcluded.first, let rule = cheapest.excludedBy {
            text += "; \(cheaperExcluded.count) cheaper option\(cheaperExcluded.count == 1 ? " is" : "s are") not allowed "
                + "(cheapest: \(cheapest.region) at \(cheapest.total.formatted()), \(rule))"
        }
        if let next = options.drop(while: { $0 != recommended }).dropFirst().first(where: \.isAllowed) {
            text += "; next allowed: \(next.region) at \((next.total - recommended.total).formatted()) more"
        }
        return text
    }

    /// "720" for whole numbers, else the shortest decimal form.
    static func number(_ value: Double) -> String {
        value == value.rounded() && value.magnitude < 1e15 ? String(Int64(value)) : String(value)
    }
}
