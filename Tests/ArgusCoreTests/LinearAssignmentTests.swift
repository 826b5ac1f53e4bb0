import ArgusCore
import Testing

struct LinearAssignmentTests {
    @Test func matchesScipyOnEveryGoldenCase() throws {
        let cases = try TrackingGoldens.load("assignment.json", as: [TrackingGoldens.AssignmentCase].self)
        #expect(cases.count >= 15)
        for (number, golden) in cases.enumerated() {
            let pairs = LinearAssignment.minimumCost(golden.costs)
            let total = pairs.reduce(0) { $0 + golden.costs[$1.row][$1.column] }
            #expect(pairs.count == min(golden.costs.count, golden.costs[0].count), "case \(number)")
            #expect(abs(total - golden.total) < 1e-9, "case \(number) (\(golden.kind)): \(total) vs \(golden.total)")
            #expect(Set(pairs.map(\.row)).count == pairs.count && Set(pairs.map(\.column)).count == pairs.count)
            if golden.kind == "uniform" {
                // A unique optimum: the same pairs as scipy (the other kinds have ties).
                #expect(pairs.map(\.row) == golden.rows, "case \(number)")
                #expect(pairs.map(\.column) == golden.columns, "case \(number)")
            }
        }
    }

    @Test func emptyMatricesPairNothing() {
        #expect(LinearAssignment.minimumCost([]).isEmpty)
        #expect(LinearAssignment.minimumCost([[]]).isEmpty)
        let matching = LinearAssignment.match([[], []], columnCount: 0, threshold: 0.5)
        #expect(matching.pairs.isEmpty && matching.unmatchedRows == [0, 1] && matching.unmatchedColumns.isEmpty)
        let noRows = LinearAssignment.match([], columnCount: 3, threshold: 0.5)
        #expect(noRows.pairs.isEmpty && noRows.unmatchedRows.isEmpty && noRows.unmatchedColumns == [0, 1, 2])
    }

    @Test func thresholdDropsExpensivePairsButKeepsTheRest() {
        // The optimum pairs 0-1 and 1-0; the 1-0 pair (0.9) is over the threshold.
        let costs: [[Double]] = [[0.95, 0.1], [0.9, 0.97]]
        let matching = LinearAssignment.match(costs, columnCount: 2, threshold: 0.5)
        #expect(matching.pairs == [LinearAssignment.Pair(row: 0, column: 1)])
        #expect(matching.unmatchedRows == [1])
        #expect(matching.unmatchedColumns == [0])
    }

    @Test func cappingLetsACheapPairWinOverTwoExpensiveOnes() {
        // Uncapped, 0-0 + 1-1 (0.3 + 5) loses to 0-1 + 1-0 (2 + 2); capped at the
        // threshold, the cheap pair 0-0 is kept, as ByteTrack wants.
        let costs: [[Double]] = [[0.3, 2], [2, 5]]
        let matching = LinearAssignment.match(costs, columnCount: 2, threshold: 0.8)
        #expect(matching.pairs == [LinearAssignment.Pair(row: 0, column: 0)])
    }

    @Test func nonFiniteCostsAreAvoided() {
        let costs: [[Double]] = [[.infinity, 1], [1, .nan]]
        let pairs = LinearAssignment.minimumCost(costs)
        #expect(pairs == [LinearAssignment.Pair(row: 0, column: 1), LinearAssignment.Pair(row: 1, column: 0)])
    }
}
