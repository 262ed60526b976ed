import Testing

@testable import FederatedCore

@Suite struct CSVDatasetTests {
    let text = "\u{FEFF}a,b,label\n" + (0..<10).map { "\(Double($0) / 10),\($0 % 3),\($0 % 2)" }.joined(separator: "\n") + "\n"

    @Test func splitsDeterministicallyAndHoldsOutTheFractionAskedFor() throws {
        let all = try CSVDataset.load(text, heldOutFraction: 0)
        #expect(all.train.exampleCount == 10 && all.heldOut == nil, "a fraction of 0 holds nothing out")
        #expect(all.columns == ["a", "b", "label"], "the byte-order mark is not part of the first column")
        let split = try CSVDataset.load(text, heldOutFraction: 0.2, seed: 4)
        #expect(split.train.exampleCount == 8 && split.heldOut?.exampleCount == 2)
        let again = try CSVDataset.load(text, heldOutFraction: 0.2, seed: 4)
        #expect(again.heldOut == split.heldOut && again.train == split.train, "the same seed splits the same way")
        #expect(split.train.featureCount == 2)
    }

    @Test func malformedRowsAreNamedByLine() {
        #expect(throws: CSVDataset.Problem.row(line: 3, reason: "has 2 fields, the header has 3")) {
            try CSVDataset.load("a,b,label\n1,2,0\n1,2\n")
        }
        #expect(throws: CSVDataset.Problem.row(line: 2, reason: "column 'b' is not a finite number: 'x'")) {
            try CSVDataset.load("a,b,label\n1,x,0\n")
        }
        #expect(throws: CSVDataset.Problem.row(line: 2, reason: "the label '-1' is not a non-negative integer")) {
            try CSVDataset.load("a,b,label\n1,2,-1\n")
        }
        #expect(throws: CSVDataset.Problem.empty) { try CSVDataset.load("a,b,label\n") }
        #expect(throws: CSVDataset.Problem.tooFewColumns(1)) { try CSVDataset.load("label\n1\n") }
    }
}
