import PlacementCore

/// Prices usage events against a ``CloudCatalogue``: instance-hours at the offer's hourly
/// price, bytes at the sender's egress price (PlacementCore's ``EgressPriceTable`` rule).
///
/// Rules:
/// - An interval is cut at each UTC midnight into one line item per day. Each day's amount is
///   `R(rate × ms up to the end of that day) − R(rate × ms up to its start)`, with `R` rounding
///   half to even to a nano-dollar, so the days add up to exactly `R(rate × whole interval)`
///   and none is off by more than one nano-dollar.
/// - The instance type is looked up in the event's region. When the event names no type, or
///   one the region does not price, the cheapest offer of the region with at least the
///   event's vCPU, memory (and GPU) prices it, and the ``Substitution`` is recorded.
/// - Anything else that cannot be priced is an ``UnpriceableReason``, never a zero.
/// - Bytes sent to `.internet` pay the source's internet tariff; bytes to a region pay
///   ``EgressPriceTable/pricePerGB(from:to:)`` (same region, same provider, other provider).
public struct UsagePricer: Sendable {
    public let catalogue: CloudCatalogue
    let index: OfferIndex

    public init(catalogue: CloudCatalogue) {
        self.catalogue = catalogue
        index = OfferIndex(catalogue.offers)
    }

    public func price(_ event: UsageEvent) -> PricingOutcome {
        let result: Result<(items: [PricedLineItem], substitution: Substitution?), UnpriceableReason>
        switch event.usage {
        case let .nodeHours(usage):
            result = priceInterval(event, usage.interval, usage.machine, usage.region, .participants, organisation: usage.organisation)
        case let .aggregatorHours(usage):
            result = priceInterval(event, usage.interval, usage.machine, usage.region, .aggregator, organisation: nil)
        case let .bytesMoved(usage):
            result = priceTransfer(event, usage).map { ([$0], nil) }
        }
        switch result {
        case let .success((items, substitution)):
            return .priced(PricedUsage(
                eventID: event.id, federation: event.federation, kind: event.usage.kind, lineItems: items,
                substitution: substitution))
        case let .failure(reason):
            return .unpriceable(UnpriceableUsage(
                eventID: event.id, federation: event.federation, kind: event.usage.kind, reason: reason))
        }
    }

    /// The offer that prices a machine in a region, and the substitution when it is not the
    /// named type.
    public func resolve(_ machine: MachineSpec, in region: RegionID) -> Result<(InstanceOffer, Substitution?), UnpriceableReason> {
        guard index.hasOffers(in: region) else { return .failure(.regionNotInCatalogue(region)) }
        if let type = machine.instanceType, let offer = index.offer(type, in: region) {
            return .success((offer, nil))
        }
        guard let requirement = machine.resources else {
            return .failure(machine.instanceType.map { .instanceTypeNotInCatalogue($0, region: region) } ?? .noMachineDescription)
        }
        guard requirement.isValid else { return .failure(.invalidResources(requirement)) }
        guard let offer = index.cheapest(in: region, meeting: requirement) else {
            return .failure(.noOfferMeetsRequirement(requirement, region: region, requestedInstanceType: machine.instanceType))
        }
        guard let rate = PriceRate(usd: offer.hourlyUSD, per: .hour) else {
            return .failure(.priceNotRepresentable(usd: offer.hourlyUSD, what: offer.description))
        }
        return .success((offer, Substitution(
            requestedInstanceType: machine.instanceType, requirement: requirement, substitute: offer, rate: rate)))
    }

    private func priceInterval(
        _ event: UsageEvent, _ interval: UsageInterval, _ machine: MachineSpec, _ region: RegionID,
        _ component: CostComponent, organisation: String?
    ) -> Result<(items: [PricedLineItem], substitution: Substitution?), UnpriceableReason> {
        guard interval.isValid else { return .failure(.invalidInterval(interval)) }
        let offer: InstanceOffer, substitution: Substitution?
        switch resolve(machine, in: region) {
        case let .success(resolved): (offer, substitution) = resolved
        case let .failure(reason): return .failure(reason)
        }
        guard let rate = PriceRate(usd: offer.hourlyUSD, per: .hour) else {
            return .failure(.priceNotRepresentable(usd: offer.hourlyUSD, what: offer.description))
        }
        // Checked before splitting, so an absurd interval is refused without walking its days.
        guard rate.amount(for: interval.milliseconds) != nil else { return .failure(.amountTooLarge) }
        var items: [PricedLineItem] = []
        var elapsed: Int64 = 0
        var billed = Money.zero
        for (position, part) in interval.splitByUTCDay().enumerated() {
            elapsed += part.milliseconds
            guard let upToHere = rate.amount(for: elapsed) else { return .failure(.amountTooLarge) }
            items.append(PricedLineItem(
                id: .init(eventID: event.id, index: position), federation: event.federation,
                organisation: organisation, component: component, region: region, day: part.day,
                quantity: part.milliseconds, rate: rate, amount: upToHere - billed, instanceType: offer.instanceType))
            billed = upToHere
        }
        return .success((items, substitution))
    }

    private func priceTransfer(_ event: UsageEvent, _ usage: TransferUsage) -> Result<PricedLineItem, UnpriceableReason> {
        guard usage.bytes >= 0 else { return .failure(.negativeBytes(usage.bytes)) }
        let perGB = switch usage.destination {
        case let .region(destination): catalogue.egress.pricePerGB(from: usage.source, to: destination)
        case .internet: catalogue.egress.tariff(of: usage.source).internetPerGB
        }
        guard let rate = PriceRate(usd: perGB, per: .gigabyte) else {
            return .failure(.priceNotRepresentable(usd: perGB, what: "egress from \(usage.source) to \(usage.destination)"))
        }
        guard let amount = rate.amount(for: usage.bytes) else { return .failure(.amountTooLarge) }
        return .success(PricedLineItem(
            id: .init(eventID: event.id, index: 0), federation: event.federation, organisation: usage.organisation,
            component: .dataTransfer, region: usage.source, day: usage.at.day, quantity: usage.bytes, rate: rate,
            amount: amount, instanceType: nil))
    }
}
