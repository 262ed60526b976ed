/// Which fields of an uploaded credential are secret, by provider, without needing the type.
public enum CredentialSecretFields {
    public static func fields(for provider: CloudProvider) -> [String] {
        switch provider {
        case .aws: AWSCredentialInput.secretFields
        case .gcp: GCPServiceAccountKey.secretFields
        case .azure: AzureCredentialInput.secretFields
        case .openstack: OpenStackCredentialInput.secretFields
        }
    }
}
