/// The rectangular linear assignment problem: pair rows with columns, each at most once,
/// so the total cost is least. Solved with shortest augmenting paths on reduced costs
/// (the Jonker-Volgenant method as Crouse describes it for rectangular matrices), O(n²m).
public enum LinearAssignment {
    /// One row paired with one column.
    public struct Pair: Sendable, Hashable {
        public var row: Int
        public var column: Int

        public init(row: Int, column: Int) {
            self.row = row
            self.column = column
        }
    }

    /// The pairs of a thresholded assignment and what was left alone.
    public struct Matching: Sendable, Hashable {
        public var pairs: [Pair]
        public var unmatchedRows: [Int]
        public var unmatchedColumns: [Int]
    }

    /// The least-cost assignment of `costs` (rows × columns, every row the same length):
    /// min(rows, columns) pairs, sorted by row. Non-finite costs count as very large.
    public static func minimumCost(_ costs: [[Double]]) -> [Pair] {
        let rowCount = costs.count
        guard rowCount > 0, let columnCount = costs.first?.count, columnCount > 0 else { return [] }
        precondition(costs.allSatisfy { $0.count == columnCount }, "ragged cost matrix")
        let finite = costs.map { row in row.map { $0.isFinite ? $0 : Double.greatestFiniteMagnitude / 1e6 } }
        // The solver wants no more rows than columns: solve the transpose otherwise.
        if rowCount <= columnCount {
            return solve(finite).enumerated().map { Pair(row: $0.offset, column: $0.element) }
        }
        let transposed = (0..<columnCount).map { column in finite.map { $0[column] } }
        return solve(transposed).enumerated().map { Pair(row: $0.element, column: $0.offset) }
            .sorted { $0.row < $1.row }
    }

    /// ByteTrack's matching: costs above `threshold` are capped just over it, the least-cost
    /// assignment is found, and only the pairs at or under the threshold are kept.
    /// `columnCount` is given because a matrix without rows cannot tell it.
    public static func match(_ costs: [[Double]], columnCount: Int, threshold: Double) -> Matching {
        let rowCount = costs.count
        precondition(costs.allSatisfy { $0.count == columnCount }, "cost rows must have columnCount entries")
        guard rowCount > 0, columnCount > 0 else {
            return Matching(pairs: [], unmatchedRows: Array(0..<rowCount), unmatchedColumns: Array(0..<columnCount))
        }
        let capped = costs.map { row in row.map { min($0, threshold + 1e-4) } }
        let pairs = minimumCost(capped).filter { costs[$0.row][$0.column] <= threshold }
        let matchedRows = Set(pairs.map(\.row))
        let matchedColumns = Set(pairs.map(\.column))
        return Matching(
            pairs: pairs,
            unmatchedRows: (0..<rowCount).filter { !matchedRows.contains($0) },
            unmatchedColumns: (0..<columnCount).filter { !matchedColumns.contains($0) })
    }

    /// The column of each row, for rows ≤ columns.
    private static func solve(_ costs: [[Double]]) -> [Int] {
        let rowCount = costs.count
        let columnCount = costs[0].count
        // Dual variables: cost[i][j] - rowPotential[i] - columnPotential[j] ≥ 0 throughout.
        var rowPotential = [Double](repeating: 0, count: rowCount)
        var columnPotential = [Double](repeating: 0, count: columnCount)
        var columnOfRow = [Int](repeating: -1, count: rowCount)
        var rowOfColumn = [Int](repeating: -1, count: columnCount)

        for startRow in 0..<rowCount {
            // Dijkstra over reduced costs from startRow to the nearest free column.
            var distance = [Double](repeating: .infinity, count: columnCount)
            var predecessor = [Int](repeating: -1, count: columnCount)
            var rowVisited = [Bool](repeating: false, count: rowCount)
            var columnVisited = [Bool](repeating: false, count: columnCount)
            var unvisited = Array(0..<columnCount)
            var reached = 0.0
            var row = startRow
            var sink = -1
            while sink < 0 {
                rowVisited[row] = true
                var lowest = Double.infinity
                var lowestSlot = -1
                for slot in unvisited.indices {
                    let column = unvisited[slot]
                    let reduced = reached + costs[row][column] - rowPotential[row] - columnPotential[column]
                    if reduced < distance[column] {
                        distance[column] = reduced
                        predecessor[column] = row
                    }
                    // Among equals, a free column ends the search sooner.
                    if distance[column] < lowest || (distance[column] == lowest && rowOfColumn[column] < 0) {
                        lowest = distance[column]
                        lowestSlot = slot
                    }
                }
                reached = lowest
                let column = unvisited[lowestSlot]
                columnVisited[column] = true
                unvisited.swapAt(lowestSlot, unvisited.count - 1)
                unvisited.removeLast()
                if rowOfColumn[column] < 0 {
                    sink = column
                } else {
                    row = rowOfColumn[column]
                }
            }
            // Keep the reduced costs non-negative and tight along the tree.
            rowPotential[startRow] += reached
            for visited in 0..<rowCount where rowVisited[visited] && visited != startRow {
                rowPotential[visited] += reached - distance[columnOfRow[visited]]
            }
            for column in 0..<columnCount where columnVisited[column] {
                columnPotential[column] -= reached - distance[column]
            }
            // Flip the path's pairs back to the start row.
            var column = sink
            while true {
                let pathRow = predecessor[column]
                rowOfColumn[column] = pathRow
                let previous = columnOfRow[pathRow]
                columnOfRow[pathRow] = column
                if pathRow == startRow { break }
                column = previous
            }
        }
        return columnOfRow
    }
}
