import CumulusAPI
import Foundation
import Testing

/// Every service's /openapi.yaml is a valid OpenAPI 3.1 document (checked by the
/// openapi-spec-validator package that deploy/test.sh installs).
@Suite struct OpenAPIValidityTests {
    @Test(arguments: ServiceName.allCases)
    func theDocumentIsValid(_ service: ServiceName) async throws {
        let answer = try await HTTPTestClient.send("\(try TestEnvironment.serviceURL(service))/openapi.yaml")
        #expect(answer.status == 200)
        let file = FileManager.default.temporaryDirectory.appending(path: "openapi-\(service.rawValue)-\(UUID().uuidString).yaml")
        try answer.body.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let outcome = try await ProcessRunner.run("/usr/bin/env", [
            "python3", "-c", "import sys, yaml; from openapi_spec_validator import validate; validate(yaml.safe_load(open(sys.argv[1])))", file.path,
        ])
        #expect(outcome.status == 0, "\(service)'s OpenAPI document is invalid: \(outcome.standardError.suffix(2000))")
    }
}
