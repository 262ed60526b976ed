import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

/// Where the node runs, from the cloud's instance-metadata endpoint: AWS's IMDSv2 (a session
/// token, then the instance identity document) or GCP's metadata server (`Metadata-Flavor:
/// Google`). Each question has `timeout` (one second by default: a cloud's endpoint answers in
/// milliseconds); on a machine outside a cloud nothing answers and the location stays as the
/// flags gave it.
struct InstanceMetadata {
    let base: String
    var timeout: TimeAmount = .seconds(1)

    struct Found { var provider: String; var region: String?; var zone: String?; var instanceType: String? }

    func discover() async -> Found? {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { Task { try? await client.shutdown() } }
        if let aws = await self.aws(client) { return aws }
        return await gcp(client)
    }

    private func aws(_ client: HTTPClient) async -> Found? {
        var tokenRequest = HTTPClientRequest(url: base + "/latest/api/token")
        tokenRequest.method = .PUT
        tokenRequest.headers.add(name: "X-aws-ec2-metadata-token-ttl-seconds", value: "60")
        guard let token = await text(client, tokenRequest) else { return nil }
        var request = HTTPClientRequest(url: base + "/latest/dynamic/instance-identity/document")
        request.headers.add(name: "X-aws-ec2-metadata-token", value: token)
        guard let body = await text(client, request), let document = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else { return nil }
        return Found(provider: "aws", region: document["region"] as? String, zone: document["availabilityZone"] as? String,
                     instanceType: document["instanceType"] as? String)
    }

    private func gcp(_ client: HTTPClient) async -> Found? {
        func ask(_ path: String) async -> String? {
            var request = HTTPClientRequest(url: base + "/computeMetadata/v1/instance/" + path)
            request.headers.add(name: "Metadata-Flavor", value: "Google")
            return await text(client, request)
        }
        // "projects/123/zones/europe-west1-b" and "projects/123/machineTypes/e2-standard-4".
        guard let zonePath = await ask("zone") else { return nil }
        let zone = zonePath.split(separator: "/").last.map(String.init)
        let region = zone.map { $0.split(separator: "-").dropLast().joined(separator: "-") }
        let machine = await ask("machine-type").flatMap { $0.split(separator: "/").last.map(String.init) }
        return Found(provider: "gcp", region: region, zone: zone, instanceType: machine)
    }

    private func text(_ client: HTTPClient, _ request: HTTPClientRequest) async -> String? {
        guard let response = try? await client.execute(request, timeout: timeout), response.status == .ok,
              let body = try? await response.body.collect(upTo: 1 << 20) else { return nil }
        return String(buffer: body)
    }
}
