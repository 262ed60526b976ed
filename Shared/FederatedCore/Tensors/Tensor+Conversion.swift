extension Tensor {
    /// The values as F32, converting from the stored type (F64 and the 16-bit types round or
    /// widen exactly as NumPy's `astype(np.float32)` does).
    public func floatValues() -> [Float] {
        switch storage {
        case .float32(let values):
            return values
        case .float64(let values):
            return values.map { Float($0) }
        case .float16(let bits):
            return bits.map(HalfPrecision.float(fromFloat16:))
        case .bfloat16(let bits):
            return bits.map(HalfPrecision.float(fromBFloat16:))
        }
    }

    /// The values widened to F64 (exact for every supported type).
    public func doubleValues() -> [Double] {
        if case .float64(let values) = storage { return values }
        return floatValues().map { Double($0) }
    }

    /// The same tensor in another element type. Narrowing rounds to nearest even.
    public func converted(to dtype: DType) -> Tensor {
        guard dtype != self.dtype else { return self }
        let storage: Storage
        if dtype == .float64 {
            storage = .float64(doubleValues())
        } else {
            storage = Tensor.storage(for: floatValues(), as: dtype)
        }
        // The element count is unchanged, so the shape stays valid.
        return Tensor(unchecked: shape, storage: storage)
    }

    /// Encodes F32 values as `dtype` (used to return results in the model's own type).
    static func storage(for values: [Float], as dtype: DType) -> Storage {
        switch dtype {
        case .float32: .float32(values)
        case .float64: .float64(values.map { Double($0) })
        case .float16: .float16(values.map(HalfPrecision.float16Bits(from:)))
        case .bfloat16: .bfloat16(values.map(HalfPrecision.bfloat16Bits(from:)))
        }
    }

    /// The position and value of the first NaN or infinity, if any.
    public func firstNonFinite() -> (index: Int, value: Double)? {
        switch storage {
        case .float32(let values):
            guard let index = values.withUnsafeBufferPointer(Kernels.firstNonFinite) else { return nil }
            return (index, Double(values[index]))
        case .float64(let values):
            guard let index = values.firstIndex(where: { !$0.isFinite }) else { return nil }
            return (index, values[index])
        case .float16(let bits):
            guard let index = bits.firstIndex(where: { $0 & 0x7C00 == 0x7C00 }) else { return nil }
            return (index, Double(HalfPrecision.float(fromFloat16: bits[index])))
        case .bfloat16(let bits):
            guard let index = bits.firstIndex(where: { $0 & 0x7F80 == 0x7F80 }) else { return nil }
            return (index, Double(HalfPrecision.float(fromBFloat16: bits[index])))
        }
    }
}
