/// L2 clipping of a model update, Flower 1.41's `compute_clip_model_update` (client-side
/// `fixedclipping_mod`, server-side `DifferentialPrivacyServerSideFixedClipping`) and
/// `compute_adaptive_clip_model_update` (which also returns the "norm bit"):
///
///     Δ = update − reference;   factor = min(1, C / ‖Δ‖₂);   clipped = reference + factor·Δ
///
/// in float32 as NumPy computes it, except ‖Δ‖₂, which is summed in Double (Flower: a float32
/// `np.linalg.norm` per tensor) — the factor agrees to ~1e-7 relative.
public enum UpdateClipping {
    public struct Clipped: Sendable, Equatable {
        /// `reference + factor · (update − reference)`.
        public let model: TensorCollection
        /// ‖update − reference‖₂ before clipping.
        public let norm: Double
        /// Flower's norm bit: the update was scaled down (factor < 1).
        public let wasClipped: Bool
    }

    /// ‖update − reference‖₂ over every tensor.
    public static func norm(of update: TensorCollection, from reference: TensorCollection) throws(PrivacyError) -> Double {
        try check(update, reference)
        var sum = 0.0
        for name in reference.names {
            let a = update[name]!.floatValues()
            let b = reference[name]!.floatValues()
            for index in a.indices {
                let d = Double(a[index] - b[index])
                sum += d * d
            }
        }
        return sum.squareRoot()
    }

    /// Clips `update − reference` to L2 norm `clippingNorm` and adds it back to `reference`.
    public static func clip(_ update: TensorCollection, reference: TensorCollection, clippingNorm: Double) throws(PrivacyError) -> Clipped {
        guard clippingNorm >= 0, clippingNorm.isFinite else { throw .invalidConfiguration("clipping norm must be finite and ≥ 0, not \(clippingNorm)") }
        let norm = try norm(of: update, from: reference)
        let factor = norm > 0 ? min(1, clippingNorm / norm) : 1
        let scale = Float(factor)
        var result = TensorCollection(metadata: reference.metadata)
        for name in reference.names {
            let a = update[name]!.floatValues()
            let b = reference[name]!.floatValues()
            var out = [Float](repeating: 0, count: a.count)
            for index in a.indices { out[index] = b[index] + (a[index] - b[index]) * scale }
            result.set(Tensor(unchecked: reference[name]!.shape, storage: .float32(out)), named: name)
        }
        return Clipped(model: result, norm: norm, wasClipped: factor < 1)
    }

    private static func check(_ update: TensorCollection, _ reference: TensorCollection) throws(PrivacyError) {
        do {
            try ModelLayout(reference).validate(update)
        } catch {
            throw .aggregation(error)
        }
    }
}
