import CumulusAPI
import Foundation
import Testing

/// The Prometheus that deploy/test.sh started scrapes every service.
@Suite struct PrometheusTests {
    struct QueryAnswer: Decodable {
        struct Data: Decodable { var result: [Series] }
        struct Series: Decodable { var metric: [String: String]; var value: [Value] }
        enum Value: Decodable {
            case time(Double)
            case text(String)
            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let number = try? container.decode(Double.self) { self = .time(number) } else { self = .text(try container.decode(String.self)) }
            }
        }
        var status: String
        var data: Data
    }

    @Test func allSixTargetsAreUp() async throws {
        let prometheus = try TestEnvironment.prometheus()
        let answer = try await HTTPTestClient.send("\(prometheus)/api/v1/query?query=up")
        #expect(answer.status == 200, "\(answer.text)")
        let parsed = try JSONDecoder().decode(QueryAnswer.self, from: answer.body)
        #expect(parsed.status == "success")
        var upByJob: [String: String] = [:]
        for series in parsed.data.result {
            if let job = series.metric["job"], case .text(let value)? = series.value.last { upByJob[job] = value }
        }
        for service in ServiceName.allCases {
            #expect(upByJob[service.rawValue] == "1", "\(service) up == \(upByJob[service.rawValue] ?? "missing")")
        }
    }
}
