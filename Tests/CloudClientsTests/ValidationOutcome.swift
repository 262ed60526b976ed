import Testing

@testable import CloudClients

/// Runs a validation that is expected to fail and returns its error; records an issue (and
/// returns nil) if it succeeded instead.
func validationError(
    _ body: () async throws -> ValidatedCredential,
    sourceLocation: SourceLocation = #_sourceLocation
) async -> CredentialValidationError? {
    do {
        let accepted = try await body()
        Issue.record("expected a validation error, but the credential was accepted: \(accepted)", sourceLocation: sourceLocation)
        return nil
    } catch let error as CredentialValidationError {
        return error
    } catch {
        Issue.record("expected a CredentialValidationError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

extension CredentialValidationError {
    /// The field, when this is an input error.
    var invalidField: String? {
        if case .invalidInput(let field, _) = self { return field }
        return nil
    }

    /// The reason, when the provider could not be used.
    var unavailableReason: String? {
        if case .providerUnavailable(_, _, let reason) = self { return reason }
        return nil
    }

    /// (code, message), when the provider refused the credential.
    var rejection: (code: String?, message: String)? {
        if case .rejected(_, let code, let message) = self { return (code, message) }
        return nil
    }
}
