/// Helpers shared by the strategy implementations.
enum StrategySupport {
    /// The global model in the working type, refusing empty models.
    static func workingModel(_ model: TensorCollection) throws(StrategyError) -> TensorCollection {
        guard !model.isEmpty else { throw .invalidConfiguration("the initial model has no tensors") }
        return model.converted(to: .float32)
    }

    /// A resumed state's global model must already be in the working type.
    static func checkWorkingModel(_ model: TensorCollection) throws(StrategyError) {
        guard !model.isEmpty else { throw .invalidState("the global model has no tensors") }
        if let (name, tensor) = model.first(where: { $0.tensor.dtype != .float32 }) {
            throw .invalidState("global tensor '\(name)' is \(tensor.dtype); strategies keep F32 models")
        }
    }

    /// A persisted optimiser buffer must be shaped exactly like the model.
    static func checkCompanion(_ companion: TensorCollection?, _ what: String, model: TensorCollection) throws(StrategyError) {
        guard let companion else { return }
        do {
            try ModelLayout(model).validate(companion)
        } catch {
            throw .invalidState("\(what) is not shaped like the global model: \(error)")
        }
    }

    /// All-zero F32 tensors shaped like `model` (Flower's `np.zeros_like` first moments).
    static func zeros(like model: TensorCollection) -> TensorCollection {
        var result = TensorCollection()
        for (name, tensor) in model {
            result.set(Tensor(unchecked: tensor.shape, storage: .float32([Float](repeating: 0, count: tensor.elementCount))), named: name)
        }
        return result
    }

    /// Calls `body` with mutable F32 buffers of tensor `name` in each collection, in place.
    static func withMutableBuffers(
        _ name: String, _ a: inout TensorCollection, _ b: inout TensorCollection,
        _ body: (UnsafeMutableBufferPointer<Float>, UnsafeMutableBufferPointer<Float>) -> Void
    ) {
        _ = a.modify(name) { ta in
            b.modify(name) { tb in
                ta.withUnsafeMutableFloat32Buffer { pa in
                    tb.withUnsafeMutableFloat32Buffer { pb in body(pa, pb) }
                }
            }
        }
    }

    static func checkFinite(_ value: Double, _ name: String) throws(StrategyError) {
        guard value.isFinite else { throw .invalidConfiguration("\(name) must be a finite number, not \(value)") }
    }
}
