/// A tiny built-in catalogue (15 regions across AWS, GCP, Azure and OpenStack, six instance
/// types each) so that placement works on a fresh install before any price list is imported.
///
/// APPROXIMATE DEFAULTS: prices are rounded public list prices and latencies are estimated from
/// distance (see `DefaultCatalogue+Data.swift`). Good for demos and sanity checks, not for bills.
public enum DefaultCatalogue {
    public static let catalogue: CloudCatalogue = {
        var offers: [InstanceOffer] = []
        for (region, rows) in regionRows {
            for row in rows {
                offers.append(InstanceOffer(
                    region: region, instanceType: row.type, vCPU: row.vCPU, memoryGB: row.memoryGB,
                    gpu: row.gpu, hourlyUSD: row.hourlyUSD))
            }
        }
        var latency = LatencyMatrix()
        for (a, b, rtt) in latencyRows {
            latency.record(a, b, rttMilliseconds: rtt)
        }
        return CloudCatalogue(offers: offers, egress: .approximateDefaults, latency: latency)
    }()
}
