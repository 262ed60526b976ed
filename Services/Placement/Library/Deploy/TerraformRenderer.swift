import CumulusAPI
import Foundation

/// Writes a self-contained Terraform configuration for one deployment: the provider modules it
/// needs (copied from deploy/terraform/modules, with the shared cloud-init template), a root
/// `main.tf` with one aliased provider per (provider, region) and one module per aggregator, and
/// `terraform.tfvars.json` with this installation's settings. The folder can be applied by hand
/// as well as by ``TerraformProvisioner``; the `endpoints` output maps aggregator id → URL.
struct TerraformRenderer: Sendable {
    struct Settings: Sendable {
        var aggregatorDownloadURL: String
        var aggregatorSHA256: String
        var gatewayURL: String
    }

    let modulesDirectory: String
    let settings: Settings

    /// Module folder per provider name.
    static let moduleFolder = ["aws": "aws", "gcp": "gcp", "openstack": "openstack"]
    /// Terraform provider local names and sources, per Cumulus provider name.
    static let terraformProvider = ["aws": ("aws", "hashicorp/aws", ">= 5.0, < 7.0"),
                                    "gcp": ("google", "hashicorp/google", ">= 5.0, < 7.0"),
                                    "openstack": ("openstack", "terraform-provider-openstack/openstack", ">= 1.54, < 4.0")]

    enum RenderError: Error, CustomStringConvertible {
        case unsupportedProvider(String)
        var description: String {
            switch self {
            case let .unsupportedProvider(name): "no Terraform module for provider \(name) (modules exist for aws, gcp and openstack)"
            }
        }
    }

    /// Writes everything into `directory` (created if needed); returns the files written.
    @discardableResult
    func render(_ plan: DeploymentPlan, into directory: String) throws -> [String] {
        let fileManager = FileManager.default
        for aggregator in plan.aggregators where Self.moduleFolder[aggregator.site.provider] == nil {
            throw RenderError.unsupportedProvider(aggregator.site.provider)
        }
        guard fileManager.fileExists(atPath: modulesDirectory + "/cloud-init/aggregator.yaml.tftpl") else {
            throw ProvisionerError.missingFiles(path: modulesDirectory, variable: "CUMULUS_PLACEMENT_TERRAFORM_MODULES")
        }
        try fileManager.createDirectory(atPath: directory + "/modules", withIntermediateDirectories: true)
        var written: [String] = []
        let providers = Set(plan.aggregators.map(\.site.provider))
        for folder in ["cloud-init"] + providers.sorted().compactMap({ Self.moduleFolder[$0] }) {
            let target = directory + "/modules/" + folder
            if fileManager.fileExists(atPath: target) { try fileManager.removeItem(atPath: target) }
            try fileManager.copyItem(atPath: modulesDirectory + "/" + folder, toPath: target)
            written += (try fileManager.contentsOfDirectory(atPath: target)).sorted().map { "modules/\(folder)/\($0)" }
        }
        try Data(Self.mainTF(plan).utf8).write(to: URL(fileURLWithPath: directory + "/main.tf"))
        try Data(tfvars(plan).utf8).write(to: URL(fileURLWithPath: directory + "/terraform.tfvars.json"))
        return ["main.tf", "terraform.tfvars.json"] + written
    }

    func tfvars(_ plan: DeploymentPlan) throws -> String {
        var values: [String: Any] = [
            "aggregator_download_url": settings.aggregatorDownloadURL, "aggregator_sha256": settings.aggregatorSHA256,
            "gateway_url": settings.gatewayURL, "allowed_cidrs": ["0.0.0.0/0"], "ssh_cidrs": [String](), "ssh_public_key": "",
        ]
        let providers = Set(plan.aggregators.map(\.site.provider))
        if providers.contains("gcp") { values["gcp_project"] = "" }
        if providers.contains("openstack") {
            values["openstack_image_name"] = "ubuntu-22.04"
            values["openstack_network"] = "public"
        }
        return String(decoding: try JSONSerialization.data(withJSONObject: values, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self) + "\n"
    }

    /// The root module. Every value interpolated here passed the API's validation; it is quoted
    /// with ``hcl(_:)`` all the same.
    static func mainTF(_ plan: DeploymentPlan) -> String {
        let providers = Set(plan.aggregators.map(\.site.provider)).sorted()
        var text = """
            # Rendered by the Cumulus placement service for deployment \(plan.id.uuidString.lowercased())
            # (placement \(plan.placementId.uuidString.lowercased()), front point \(plan.frontIndex)). Do not edit: it is
            # rewritten when the deployment is rendered again. Apply with `terraform init && terraform apply`
            # (the service does both on POST /api/v1/deployments/{id}/start).

            terraform {
              required_version = ">= 1.5.0"
              required_providers {

            """
        for provider in providers {
            let (name, source, version) = terraformProvider[provider]!
            text += "    \(name) = {\n      source  = \(hcl(source))\n      version = \(hcl(version))\n    }\n"
        }
        text += "  }\n}\n\n"
        text += variable("aggregator_download_url", "string", "What cloud-init downloads and runs as the aggregator.")
        text += variable("aggregator_sha256", "string", "SHA-256 of that download.")
        text += variable("gateway_url", "string", "The Cumulus gateway the aggregators report to.")
        text += variable("allowed_cidrs", "list(string)", "Who may reach the aggregator port.")
        text += variable("ssh_cidrs", "list(string)", "Who may reach SSH; empty closes it.")
        text += variable("ssh_public_key", "string", "An operator's OpenSSH public key; empty installs none.")
        if providers.contains("gcp") { text += variable("gcp_project", "string", "The GCP project to create the VMs in.") }
        if providers.contains("openstack") {
            text += variable("openstack_image_name", "string", "A Glance image with cloud-init.")
            text += variable("openstack_network", "string", "The Neutron network to attach to.")
        }
        // One aliased provider per (provider, region).
        var aliases: [String: String] = [:]
        for aggregator in plan.aggregators {
            let key = "\(aggregator.site.provider)/\(aggregator.site.region)"
            guard aliases[key] == nil else { continue }
            let alias = "r_" + identifier(aggregator.site.region)
            aliases[key] = alias
            let name = terraformProvider[aggregator.site.provider]!.0
            text += "provider \(hcl(name)) {\n  alias  = \(hcl(alias))\n  region = \(hcl(aggregator.site.region))\n"
            if aggregator.site.provider == "gcp" { text += "  project = var.gcp_project\n" }
            text += "}\n\n"
        }
        var outputs: [String] = []
        for aggregator in plan.aggregators {
            let module = aggregator.slot.map { "\(aggregator.role)_\($0)" } ?? aggregator.role
            let name = "cumulus-\(plan.id.uuidString.lowercased().prefix(8))-\(module.replacingOccurrences(of: "_", with: "-"))"
            let providerName = terraformProvider[aggregator.site.provider]!.0
            let alias = aliases["\(aggregator.site.provider)/\(aggregator.site.region)"]!
            text += """
                module \(hcl(module)) {
                  source    = \(hcl("./modules/" + moduleFolder[aggregator.site.provider]!))
                  providers = {
                    \(providerName) = \(providerName).\(alias)
                  }

                  name                    = \(hcl(name))
                  region                  = \(hcl(aggregator.site.region))
                  instance_type           = \(hcl(aggregator.site.instanceType))
                  architecture            = \(hcl(architecture(provider: aggregator.site.provider, instanceType: aggregator.site.instanceType)))
                  aggregator_id           = \(hcl(aggregator.id.uuidString.lowercased()))
                  deployment_id           = \(hcl(plan.id.uuidString.lowercased()))
                  federation_id           = \(hcl(plan.federationId.uuidString.lowercased()))
                  role                    = \(hcl(aggregator.role))
                  aggregator_download_url = var.aggregator_download_url
                  aggregator_sha256       = var.aggregator_sha256
                  gateway_url             = var.gateway_url
                  allowed_cidrs           = var.allowed_cidrs
                  ssh_cidrs               = var.ssh_cidrs
                  ssh_public_key          = var.ssh_public_key

                """
            if aggregator.site.provider == "openstack" {
                text += "  image_name              = var.openstack_image_name\n  network                 = var.openstack_network\n"
            }
            text += "}\n\n"
            outputs.append("    \(hcl(aggregator.id.uuidString.lowercased())) = module.\(module).endpoint_url")
        }
        text += "output \"endpoints\" {\n  description = \"Aggregator id → base URL.\"\n  value = {\n\(outputs.joined(separator: "\n"))\n  }\n}\n"
        return text
    }

    static func variable(_ name: String, _ type: String, _ description: String) -> String {
        "variable \(hcl(name)) {\n  description = \(hcl(description))\n  type        = \(type)\n}\n\n"
    }

    /// An HCL string literal: quotes and backslashes escaped, template sequences doubled.
    static func hcl(_ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        escaped = escaped.replacingOccurrences(of: "${", with: "$${").replacingOccurrences(of: "%{", with: "%%{")
        return "\"\(escaped)\""
    }

    static func identifier(_ text: String) -> String {
        String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
    }

    /// arm64 for Graviton (AWS families with a `g` after the generation: m6g, c7gn, t4g, g5g; and a1)
    /// and for GCP's Arm series (t2a, c4a); x86_64 otherwise.
    static func architecture(provider: String, instanceType: String) -> String {
        let type = instanceType.lowercased()
        switch provider {
        case "aws":
            let family = type.split(separator: ".").first.map(String.init) ?? type
            if family == "a1" { return "arm64" }
            if family.range(of: "^[a-z]+[0-9]+g[a-z]*$", options: .regularExpression) != nil { return "arm64" }
            return "x86_64"
        case "gcp":
            return type.hasPrefix("t2a-") || type.hasPrefix("c4a-") ? "arm64" : "x86_64"
        default:
            return "x86_64"
        }
    }
}
