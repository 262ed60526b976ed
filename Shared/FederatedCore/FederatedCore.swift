/// FederatedCore: the pure mathematics of federated learning (tensors, safetensors, strategies,
/// defences, secure aggregation, privacy, local trainers). No I/O lives here.
///
/// Empty until the federated-training issue fills it; the module exists now so that the package
/// layout, and every target that will depend on it, is fixed from the start.
public enum FederatedCore {}
