#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension FedOpt {
    /// One round's element-wise rule, with its per-round constants precomputed.
    struct UpdateRule {
        let variant: Variant
        let beta1: Double
        let beta2: Double
        let tau: Double
        /// η, or FedAdam's η' for this round.
        let stepSize: Double

        init(_ configuration: Configuration, round: Int) {
            variant = configuration.variant
            beta1 = configuration.beta1
            beta2 = configuration.beta2
            tau = configuration.tau
            if variant == .adam {
                let exponent = Double(round) + 1
                stepSize = configuration.eta * (1 - pow(beta2, exponent)).squareRoot() / (1 - pow(beta1, exponent))
            } else {
                stepSize = configuration.eta
            }
        }

        func apply(w: UnsafeMutableBufferPointer<Float>, m: UnsafeMutableBufferPointer<Float>, v: UnsafeMutableBufferPointer<Float>, mean: UnsafeBufferPointer<Float>) {
            switch variant {
            case .adam:
                for index in 0..<w.count {
                    let delta = Double(mean[index]) - Double(w[index])
                    let firstMoment = beta1 * Double(m[index]) + (1 - beta1) * delta
                    let secondMoment = beta2 * Double(v[index]) + (1 - beta2) * (delta * delta)
                    store(index, w: w, m: m, v: v, firstMoment, secondMoment)
                }
            case .yogi:
                for index in 0..<w.count {
                    let delta = Double(mean[index]) - Double(w[index])
                    let firstMoment = beta1 * Double(m[index]) + (1 - beta1) * delta
                    let squared = delta * delta
                    let previous = Double(v[index])
                    let secondMoment = previous - (1 - beta2) * squared * sign(previous - squared)
                    store(index, w: w, m: m, v: v, firstMoment, secondMoment)
                }
            case .adagrad:
                for index in 0..<w.count {
                    let delta = Double(mean[index]) - Double(w[index])
                    let firstMoment = beta1 * Double(m[index]) + (1 - beta1) * delta
                    let secondMoment = Double(v[index]) + delta * delta
                    store(index, w: w, m: m, v: v, firstMoment, secondMoment)
                }
            }
        }

        @inline(__always)
        private func store(_ index: Int, w: UnsafeMutableBufferPointer<Float>, m: UnsafeMutableBufferPointer<Float>, v: UnsafeMutableBufferPointer<Float>, _ firstMoment: Double, _ secondMoment: Double) {
            w[index] = Float(Double(w[index]) + stepSize * firstMoment / (secondMoment.squareRoot() + tau))
            m[index] = Float(firstMoment)
            v[index] = Float(secondMoment)
        }

        /// NumPy's `np.sign`: −1, 0 or 1.
        @inline(__always)
        private func sign(_ value: Double) -> Double {
            value > 0 ? 1 : (value < 0 ? -1 : 0)
        }
    }
}
