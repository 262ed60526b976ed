import CumulusAPI
import Foundation
import Testing

@testable import PlacementService

/// The Terraform the service writes, checked without terraform (not installed here): every file
/// must parse with python-hcl2 (a real HCL2 parser; Tests/requirements.txt installs it), and the
/// rendered root must fit the modules — every module input declared, every required one given,
/// every provider alias and root variable defined, every variable valued in terraform.tfvars.json.
/// The cloud-init template must be YAML once its ${…} are filled, and use only what the modules pass.
@Suite struct TerraformRenderingTests {
    static var modules: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../deploy/terraform/modules").standardizedFileURL.path
    }

    static func site(_ provider: String, _ region: String, _ type: String) -> AggregatorSite {
        AggregatorSite(provider: provider, region: region, instanceType: type, vCPU: 2, memoryGB: 8, hourlyUSD: 0.1)
    }

    /// A hierarchy over all three providers, two regional slots sharing one AWS region.
    static let plan = DeploymentPlan(id: UUID(), federationId: UUID(), placementId: UUID(), frontIndex: 3, aggregators: [
        PlannedAggregator(id: UUID(), role: "global", slot: nil, site: site("aws", "eu-central-1", "m6g.large")),
        PlannedAggregator(id: UUID(), role: "regional", slot: 0, site: site("gcp", "europe-west4", "e2-standard-2")),
        PlannedAggregator(id: UUID(), role: "regional", slot: 1, site: site("aws", "eu-central-1", "m5.large")),
        PlannedAggregator(id: UUID(), role: "regional", slot: 2, site: site("openstack", "RegionOne", "m1.large")),
    ])

    @Test func everyModuleFileIsValidHCL() throws {
        let files = try FileManager.default.subpathsOfDirectory(atPath: Self.modules).filter { $0.hasSuffix(".tf") }.sorted()
        #expect(files.count == 9, "aws, gcp and openstack each have main.tf, variables.tf and outputs.tf: \(files)")
        let parsed = try HCL.parse(files.map { Self.modules + "/" + $0 })
        #expect(parsed.count == files.count)
    }

    @Test func aRenderedDeploymentIsCompleteAndConsistent() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("placement-tf-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let renderer = TerraformRenderer(modulesDirectory: Self.modules, settings: .init(
            aggregatorDownloadURL: "https://downloads.example/cumulus-aggregator", aggregatorSHA256: String(repeating: "a", count: 64),
            gatewayURL: "https://cumulus.example"))
        let written = try renderer.render(Self.plan, into: directory)
        #expect(written.contains("main.tf") && written.contains("modules/cloud-init/aggregator.yaml.tftpl"))

        let root = try HCL.parse([directory + "/main.tf"])[0]
        let tfvars = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/terraform.tfvars.json"))) as! [String: Any]
        let rootVariables = Set(HCL.blocks(root, "variable").map(\.name))
        #expect(rootVariables == Set(tfvars.keys), "every root variable has a value in terraform.tfvars.json and nothing else is there")
        let text = try String(contentsOfFile: directory + "/main.tf", encoding: .utf8)
        for match in text.matches(of: /var\.([a-z0-9_]+)/) {
            #expect(rootVariables.contains(String(match.1)), "var.\(match.1) is used but not declared")
        }

        var aliases: [String: String] = [:]
        for provider in HCL.blocks(root, "provider") { aliases[HCL.unquote(provider.body["alias"])] = provider.name }
        let modules = HCL.blocks(root, "module")
        #expect(modules.map(\.name).sorted() == ["global", "regional_0", "regional_1", "regional_2"])
        #expect(aliases.count == 3, "one provider per (provider, region): aws eu-central-1 serves two aggregators")
        for module in modules {
            let source = HCL.unquote(module.body["source"])
            let folder = directory + "/" + source
            let variables = try HCL.parse([folder + "/variables.tf"])[0]
            let declared = HCL.blocks(variables, "variable")
            let given = Set(module.body.keys).subtracting(["source", "providers", "__is_block__"])
            let unknown = given.subtracting(declared.map(\.name))
            #expect(unknown.isEmpty, "module \(module.name) sets undeclared inputs \(unknown)")
            let required = declared.filter { $0.body["default"] == nil }.map(\.name)
            #expect(Set(required).isSubset(of: given), "module \(module.name) misses required inputs \(Set(required).subtracting(given))")
            let providers = module.body["providers"] as? [String: Any] ?? [:]
            #expect(providers.count == 1)
            for (local, reference) in providers {
                let parts = (reference as? String ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "${}")).split(separator: ".")
                #expect(parts.count == 2 && String(parts[0]) == local && aliases[String(parts[1])] == local,
                        "module \(module.name) uses provider \(reference), which is not defined")
            }
            let outputs = HCL.blocks(try HCL.parse([folder + "/outputs.tf"])[0], "output").map(\.name)
            #expect(outputs.contains("endpoint_url"))
            #expect(text.contains("module.\(module.name).endpoint_url"), "the endpoints output lists \(module.name)")
            _ = try HCL.parse([folder + "/main.tf"])
        }
        for aggregator in Self.plan.aggregators { #expect(text.contains("\"\(aggregator.id.uuidString.lowercased())\" = module.")) }
        #expect(text.contains("architecture            = \"arm64\""), "m6g is Graviton")
    }

    /// Without the binary, start and stop fail before running anything, naming it and the setting.
    @Test func aMissingTerraformBinaryIsNamed() async throws {
        let renderer = TerraformRenderer(modulesDirectory: Self.modules, settings: .init(aggregatorDownloadURL: "", aggregatorSHA256: "", gatewayURL: ""))
        for binary in ["cumulus-no-such-terraform", "/nonexistent/bin/terraform"] {
            let provisioner = TerraformProvisioner(renderer: renderer, dataDirectory: FileManager.default.temporaryDirectory.path, binary: binary,
                                                   logger: .init(label: "test"))
            for action in ["start", "stop"] {
                do {
                    if action == "start" { _ = try await provisioner.start(Self.plan) } else { try await provisioner.stop(Self.plan) }
                    Issue.record("\(action) with \(binary) did not fail")
                } catch let error as ProvisionerError {
                    guard case .missingBinary = error else { Issue.record("\(action): \(error)"); continue }
                    #expect("\(error)".contains("the \(binary) binary is not installed") && "\(error)".contains("CUMULUS_PLACEMENT_TERRAFORM_BIN"))
                    #expect(error.problem.status == .serviceUnavailable)
                }
            }
        }
    }

    @Test func cloudInitIsYAMLAndUsesOnlyWhatTheModulesPass() throws {
        let template = try String(contentsOfFile: Self.modules + "/cloud-init/aggregator.yaml.tftpl", encoding: .utf8)
        let used = Set(template.matches(of: /\$\{([a-z0-9_]+)\}/).map { String($0.1) })
        #expect(used.contains("download_url") && used.contains("sha256") && used.contains("aggregator_port"))
        for provider in ["aws", "gcp", "openstack"] {
            let main = try String(contentsOfFile: "\(Self.modules)/\(provider)/main.tf", encoding: .utf8)
            let call = try #require(main.firstRange(of: "templatefile(").map { main[$0.upperBound...] }?.prefix { $0 != ")" })
            let passed = Set(call.matches(of: /\n\s+([a-z0-9_]+)\s+=/).map { String($0.1) })
            #expect(passed == used, "\(provider) passes \(passed.sorted()), the template uses \(used.sorted())")
        }
        var filled = template
        for name in used { filled = filled.replacingOccurrences(of: "${\(name)}", with: "value-\(name)") }
        let document = try Python.run("""
            import json, sys, yaml
            document = yaml.safe_load(sys.stdin.read())
            print(json.dumps(document))
            """, input: filled)
        let yaml = try #require(try JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any])
        #expect(filled.hasPrefix("#cloud-config\n"))
        let files = (yaml["write_files"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
        #expect(files.contains("/etc/systemd/system/cumulus-aggregator.service") && files.contains("/opt/cumulus/install-aggregator.sh"))
        #expect((yaml["runcmd"] as? [Any])?.isEmpty == false)
        #expect(filled.contains("sha256sum -c"), "the download is checked before it is installed")
    }
}

/// python-hcl2 through python3: files in, their JSON form out.
enum HCL {
    struct Block {
        var name: String
        var body: [String: Any]
    }

    static func parse(_ paths: [String]) throws -> [[String: Any]] {
        let output = try Python.run("""
            import json, sys
            try:
                import hcl2
            except ImportError:
                sys.exit("python-hcl2 is not installed: pip install -r Tests/requirements.txt (deploy/test.sh does)")
            documents = []
            for path in sys.argv[1:]:
                with open(path) as handle:
                    try:
                        documents.append(hcl2.load(handle))
                    except Exception as error:
                        sys.exit(f"{path}: not valid HCL: {error}")
            print(json.dumps(documents))
            """, arguments: paths)
        return try JSONSerialization.jsonObject(with: Data(output.utf8)) as! [[String: Any]]
    }

    /// `resource`-style blocks of one kind: python-hcl2 gives `[{"\"name\"": body}]`.
    static func blocks(_ document: [String: Any], _ kind: String) -> [Block] {
        (document[kind] as? [[String: Any]] ?? []).flatMap { $0.map { Block(name: unquote($0.key), body: $0.value as? [String: Any] ?? [:]) } }
    }

    static func unquote(_ value: Any?) -> String {
        let text = value as? String ?? ""
        return text.count >= 2 && text.hasPrefix("\"") && text.hasSuffix("\"") ? String(text.dropFirst().dropLast()) : text
    }
}

enum Python {
    struct Failed: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    static func run(_ script: String, arguments: [String] = [], input: String = "") throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let output = Pipe(), errors = Pipe(), stdin = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = stdin
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failed(message: "python3 exited \(process.terminationStatus): \(String(decoding: err, as: UTF8.self))")
        }
        return String(decoding: out, as: UTF8.self)
    }
}
