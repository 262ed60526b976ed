import CostsCore
import CumulusAPI
import CumulusKit
import Foundation
import Hummingbird
import PlacementCore

/// The comparison and estimate wizard: a template priced in every region of the catalogue
/// (CostsCore's `Estimator`), cheapest first, with the recommendation and its reason.
struct EstimateController: Sendable {
    let cache: CatalogueCache

    func addRoutes(to router: Router<CumulusRequestContext>) {
        router.post("/api/v1/estimates") { request, context in try await estimate(request, context) }
    }

    func estimate(_ request: Request, _ context: CumulusRequestContext) async throws -> Response {
        try await CostsAccess.requireGlobal("estimates:create", context)
        let body = try await request.decode(as: EstimateRequest.self, context: context)
        let template = try Self.template(body)
        let snapshot = try await cache.current()
        let estimate: Estimate
        do { estimate = try snapshot.estimator.estimate(template) } catch {
            switch error {
            case let .invalid(field, _, requirement): throw Problem.invalidField(field, "must be \(requirement)")
            case .amountTooLarge: throw Problem.invalidField("hours", error.description, limit: "9.2 billion USD")
            }
        }
        let options = estimate.options.map(Self.view)
        return try Response.json(EstimateView(
            catalogueVersion: snapshot.versions.prices, options: options, recommended: estimate.recommended.map(Self.view), reason: estimate.reason,
            regionsWithoutOffer: estimate.regionsWithoutOffer.map { RegionRef(provider: $0.provider.rawValue, region: $0.name) }))
    }

    static func view(_ option: EstimateOption) -> EstimateOptionView {
        EstimateOptionView(
            provider: option.region.provider.rawValue, region: option.region.name, instanceType: option.offer.instanceType, vcpus: option.offer.vCPU,
            memoryGB: option.offer.memoryGB, hourlyUSD: MoneyText.hourly(option.offer.hourlyUSD).text,
            instanceNanoDollars: option.instance.nanoDollars, aggregatorEgressNanoDollars: option.aggregatorEgress.nanoDollars,
            participantEgressNanoDollars: option.participantEgress.nanoDollars, totalNanoDollars: option.total.nanoDollars,
            totalUSD: MoneyText.usd(option.total), roundTimeSeconds: option.roundTimeSeconds, allowed: option.isAllowed,
            excludedBy: option.excludedBy?.description)
    }

    /// The request as CostsCore's template, every field checked against its limit.
    static func template(_ body: EstimateRequest) throws -> EstimateTemplate {
        guard (0...1024).contains(body.vcpus) else { throw Problem.invalidField("vcpus", "must be 0 to 1024", limit: "0-1024") }
        guard body.memoryGB.isFinite, (0...32_768).contains(body.memoryGB) else {
            throw Problem.invalidField("memoryGB", "must be 0 to 32768", limit: "0-32768 GB")
        }
        var gpu: GPURequirement?
        if let count = body.gpuCount {
            guard (0...16).contains(count) else { throw Problem.invalidField("gpuCount", "must be 0 to 16", limit: "0-16") }
            if count > 0 { gpu = GPURequirement(count: count, model: body.gpuModel) }
        }
        guard body.hours.isFinite, (0...87_600).contains(body.hours) else {
            throw Problem.invalidField("hours", "must be 0 to 87600 (ten years)", limit: "0-87600")
        }
        guard (0...1000).contains(body.participants.count) else {
            throw Problem.invalidField("participants", "at most 1000 participants", limit: "1000")
        }
        let participants = try body.participants.enumerated().map { index, ref in try region(ref, "participants[\(index)]") }
        guard (0...1_000_000).contains(body.rounds) else { throw Problem.invalidField("rounds", "must be 0 to 1000000", limit: "0-1000000") }
        let maxBytes: Int64 = 1 << 40
        guard (0...maxBytes).contains(body.modelBytes) else {
            throw Problem.invalidField("modelBytes", "must be 0 to \(maxBytes) (1 TiB)", limit: "\(maxBytes)")
        }
        if let update = body.updateBytes, !(0...maxBytes).contains(update) {
            throw Problem.invalidField("updateBytes", "must be 0 to \(maxBytes) (1 TiB)", limit: "\(maxBytes)")
        }
        let providers = try body.allowedProviders.map { names in
            Set(try names.enumerated().map { index, name in
                guard let provider = Provider(rawValue: name.lowercased()) else {
                    throw Problem.invalidField("allowedProviders[\(index)]", "must be one of \(Provider.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return provider
            })
        }
        let regions = try body.allowedRegions.map { refs in Set(try refs.enumerated().map { index, ref in try region(ref, "allowedRegions[\(index)]") }) }
        let residency = try Self.residency(body.residency)
        return EstimateTemplate(
            resources: ResourceRequirement(vCPU: body.vcpus, memoryGB: body.memoryGB, gpu: gpu), hours: body.hours, participants: participants,
            rounds: body.rounds, modelBytes: body.modelBytes, updateBytes: body.updateBytes, allowedProviders: providers, allowedRegions: regions,
            residency: residency)
    }

    static func region(_ ref: RegionRef, _ field: String) throws -> RegionID {
        guard let provider = Provider(rawValue: ref.provider.lowercased()) else {
            throw Problem.invalidField("\(field).provider", "must be one of \(Provider.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        _ = try CostsValidation.name(Substring(ref.region), "\(field).region")
        return RegionID(provider, ref.region)
    }

    static func residency(_ names: [String]?) throws -> Residency {
        guard let names, !names.isEmpty else { return .anywhere }
        if names == ["anywhere"] { return .anywhere }
        if names.map({ $0.lowercased() }) == ["eu"] { return .europeanUnion }
        var continents: Set<Continent> = []
        for (index, name) in names.enumerated() {
            guard let continent = Continent(rawValue: name) else {
                throw Problem.invalidField("residency[\(index)]",
                                           "must be anywhere, eu, or continents (\(Continent.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            continents.insert(continent)
        }
        return .continents(continents)
    }
}
