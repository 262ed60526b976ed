import SeededRandom
import Foundation
import Testing

@testable import FederatedCore

/// Where the committed fixtures live, found from this file's path so tests run from anywhere.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url(name)))
    }

    static func decode<T: Decodable>(_ type: T.Type, from name: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: url(name)))
    }
}

/// Runs the Python test tooling. Fails loudly (with Python's own error text) when Python or its
/// packages are missing: see Fixtures/requirements.txt.
enum Python {
    struct Failure: Error, CustomStringConvertible {
        let command: [String]
        let status: Int32
        let standardError: String
        var description: String {
            "\(command.joined(separator: " ")) exited with \(status). Install the test requirements with "
                + "`python3 -m pip install -r Tests/FederatedCoreTests/Fixtures/requirements.txt`.\n\(standardError)"
        }
    }

    /// `$PYTHON` if set, else `python3` from PATH.
    static var interpreter: String { ProcessInfo.processInfo.environment["PYTHON"] ?? "python3" }

    static func run(script: String, arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let command = [interpreter, Fixtures.url(script).path] + arguments
        process.arguments = command
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read before waiting so a large output cannot fill the pipe and block the child.
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(command: command, status: process.terminationStatus, standardError: String(decoding: errorData, as: UTF8.self))
        }
        return String(decoding: outputData, as: UTF8.self)
    }
}

/// A scratch file removed when the test is done.
struct TemporaryFile: ~Copyable {
    let url: URL

    init(suffix: String) {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("federatedcore-\(UUID().uuidString)\(suffix)")
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

// MARK: - Hex bit patterns (how the Python fixtures store exact values)

func hexBits<T: FixedWidthInteger>(_ text: String, as type: T.Type = T.self) -> T {
    guard let value = T(text, radix: 16) else { fatalError("fixture holds a malformed hex value \(text)") }
    return value
}

/// The element bit patterns of a tensor as lower-case hex, as the fixtures write them.
func hexBits(of tensor: Tensor) -> [String] {
    func hex<T: FixedWidthInteger>(_ value: T) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: MemoryLayout<T>.size * 2 - digits.count) + digits
    }
    switch tensor.storage {
    case .float32(let values): return values.map { hex($0.bitPattern) }
    case .float64(let values): return values.map { hex($0.bitPattern) }
    case .float16(let bits), .bfloat16(let bits): return bits.map { hex($0) }
    }
}

// MARK: - Random models for property tests

/// Random tensors, shapes and dtypes from one seed (the property tests draw the seed, so a
/// failure report's seed reproduces the whole model).
struct RandomModels {
    var generator: SeededGenerator

    init(seed: UInt64) {
        generator = SeededGenerator(seed: seed)
    }

    mutating func shape(maximumRank: Int = 4, maximumDimension: Int = 5) -> [Int] {
        (0..<generator.next(below: maximumRank + 1)).map { _ in generator.next(below: maximumDimension + 1) }
    }

    /// Any bit pattern at all, NaN payloads and subnormals included.
    mutating func storage(_ dtype: DType, count: Int) -> Tensor.Storage {
        switch dtype {
        case .float32: .float32((0..<count).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: generator.next())) })
        case .float64: .float64((0..<count).map { _ in Double(bitPattern: generator.next()) })
        case .float16: .float16((0..<count).map { _ in UInt16(truncatingIfNeeded: generator.next()) })
        case .bfloat16: .bfloat16((0..<count).map { _ in UInt16(truncatingIfNeeded: generator.next()) })
        }
    }

    mutating func name() -> String {
        let pieces = ["layer", "dense", "ω", "bias", "weight", "\"q\"", "a/b", "tab\t", "x"]
        return (0..<1 + generator.next(below: 3)).map { _ in pieces[generator.next(below: pieces.count)] }.joined(separator: ".")
            + String(generator.next(below: 1000))
    }

    /// A collection of `count` tensors with random names, shapes, dtypes and bits.
    mutating func collection(count: Int, dtypes: [DType] = DType.allCases) -> TensorCollection {
        var collection = TensorCollection()
        while collection.count < count {
            let name = name()
            guard collection[name] == nil else { continue }
            let shape = shape()
            let dtype = dtypes[generator.next(below: dtypes.count)]
            let tensor = try! Tensor(shape: shape, storage: storage(dtype, count: try! Tensor.elementCount(of: shape)))
            try! collection.insert(tensor, named: name)
        }
        return collection
    }

    /// Finite F32 values from a normal distribution.
    mutating func normalFloats(count: Int, scale: Double = 1) -> [Float] {
        (0..<count).map { _ in Float(generator.nextGaussian() * scale) }
    }

    /// An F32 model of finite values shaped like `template`.
    mutating func update(like template: TensorCollection, scale: Double = 1) -> TensorCollection {
        var update = TensorCollection()
        for (name, tensor) in template {
            update.set(try! Tensor(shape: tensor.shape, values: normalFloats(count: tensor.elementCount, scale: scale)), named: name)
        }
        return update
    }
}

/// ‖actual − expected‖∞ / ‖expected‖∞: the norm-wise relative error the strategy fixtures are
/// checked with (element-wise relative error is meaningless where values cancel to near zero).
func normwiseRelativeError(_ actual: [Double], _ expected: [Double]) -> Double {
    precondition(actual.count == expected.count)
    let scale = expected.map(abs).max() ?? 0
    let worst = zip(actual, expected).map { abs($0 - $1) }.max() ?? 0
    return scale == 0 ? worst : worst / scale
}
