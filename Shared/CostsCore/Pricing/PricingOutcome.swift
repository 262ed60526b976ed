/// What pricing made of one event: its line items, or why it has none.
public enum PricingOutcome: Sendable, Hashable, Codable {
    case priced(PricedUsage)
    case unpriceable(UnpriceableUsage)

    public var eventID: String {
        switch self {
        case let .priced(usage): usage.eventID
        case let .unpriceable(usage): usage.eventID
        }
    }

    public var priced: PricedUsage? {
        if case let .priced(usage) = self { return usage }
        return nil
    }

    public var unpriceable: UnpriceableUsage? {
        if case let .unpriceable(usage) = self { return usage }
        return nil
    }
}

/// A priced event: its per-day line items (one for a transfer; none for an empty interval)
/// and the substitution, if one priced it.
public struct PricedUsage: Sendable, Hashable, Codable {
    public var eventID: String
    public var federation: String
    public var kind: UsageEvent.Kind
    public var lineItems: [PricedLineItem]
    public var substitution: Substitution?

    public init(eventID: String, federation: String, kind: UsageEvent.Kind, lineItems: [PricedLineItem], substitution: Substitution?) {
        self.eventID = eventID
        self.federation = federation
        self.kind = kind
        self.lineItems = lineItems
        self.substitution = substitution
    }

    /// Exact sum of the line items.
    public var total: Money { lineItems.map(\.amount).sum() }
}

/// An event that could not be priced, with the reason to show and alert on.
public struct UnpriceableUsage: Sendable, Hashable, Codable {
    public var eventID: String
    public var federation: String
    public var kind: UsageEvent.Kind
    public var reason: UnpriceableReason

    public init(eventID: String, federation: String, kind: UsageEvent.Kind, reason: UnpriceableReason) {
        self.eventID = eventID
        self.federation = federation
        self.kind = kind
        self.reason = reason
    }
}
