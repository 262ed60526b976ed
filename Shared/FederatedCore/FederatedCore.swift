/// FederatedCore: the pure mathematics of federated learning — tensors and the safetensors
/// format, streaming weighted aggregation, Flower-compatible server strategies and small local
/// trainers for tabular data.
///
/// Nothing here performs I/O (no files, sockets or processes): bytes come in as `[UInt8]` or
/// `UnsafeRawBufferPointer` and go out the same way, so every piece can be tested in isolation
/// and reused by the coordinator, the agent and the command-line client alike.
///
/// Byte order: safetensors is little-endian and tensors are copied to and from it with `memcpy`,
/// so the module refuses to build on a big-endian target rather than silently corrupt models.
public enum FederatedCore {}

#if !_endian(little)
#error("FederatedCore assumes a little-endian host (safetensors data is copied byte for byte)")
#endif
