#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The C library's `exp` and `log`, wrapped so the platform imports live in one file.
enum MathFunctions {
    @inline(__always)
    static func exp(_ value: Double) -> Double { cExp(value) }

    @inline(__always)
    static func log(_ value: Double) -> Double { cLog(value) }
}

@inline(__always) private func cExp(_ value: Double) -> Double { exp(value) }
@inline(__always) private func cLog(_ value: Double) -> Double { log(value) }
