/// A small dense row-major matrix of doubles: enough linear algebra for the Kalman filter
/// (8×8 at most), not a general library.
struct Matrix: Sendable, Hashable {
    let rows: Int
    let columns: Int
    var values: [Double]

    init(rows: Int, columns: Int, values: [Double]) {
        precondition(values.count == rows * columns, "matrix size")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    init(rows: Int, columns: Int) {
        self.init(rows: rows, columns: columns, values: Array(repeating: 0, count: rows * columns))
    }

    static func identity(_ size: Int) -> Matrix {
        var matrix = Matrix(rows: size, columns: size)
        for index in 0..<size { matrix[index, index] = 1 }
        return matrix
    }

    static func diagonal(_ entries: [Double]) -> Matrix {
        var matrix = Matrix(rows: entries.count, columns: entries.count)
        for (index, entry) in entries.enumerated() { matrix[index, index] = entry }
        return matrix
    }

    /// A column vector.
    init(column: [Double]) {
        self.init(rows: column.count, columns: 1, values: column)
    }

    subscript(row: Int, column: Int) -> Double {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    var transposed: Matrix {
        var result = Matrix(rows: columns, columns: rows)
        for row in 0..<rows {
            for column in 0..<columns { result[column, row] = self[row, column] }
        }
        return result
    }

    /// The block of rows `rowRange` and columns `columnRange`.
    func block(_ rowRange: Range<Int>, _ columnRange: Range<Int>) -> Matrix {
        var result = Matrix(rows: rowRange.count, columns: columnRange.count)
        for (row, sourceRow) in rowRange.enumerated() {
            for (column, sourceColumn) in columnRange.enumerated() { result[row, column] = self[sourceRow, sourceColumn] }
        }
        return result
    }

    static func * (lhs: Matrix, rhs: Matrix) -> Matrix {
        precondition(lhs.columns == rhs.rows, "matrix product size")
        var result = Matrix(rows: lhs.rows, columns: rhs.columns)
        for row in 0..<lhs.rows {
            for inner in 0..<lhs.columns {
                let left = lhs[row, inner]
                if left == 0 { continue }
                for column in 0..<rhs.columns { result[row, column] += left * rhs[inner, column] }
            }
        }
        return result
    }

    static func + (lhs: Matrix, rhs: Matrix) -> Matrix {
        precondition(lhs.rows == rhs.rows && lhs.columns == rhs.columns, "matrix sum size")
        return Matrix(rows: lhs.rows, columns: lhs.columns, values: zip(lhs.values, rhs.values).map { $0 + $1 })
    }

    static func - (lhs: Matrix, rhs: Matrix) -> Matrix {
        precondition(lhs.rows == rhs.rows && lhs.columns == rhs.columns, "matrix difference size")
        return Matrix(rows: lhs.rows, columns: lhs.columns, values: zip(lhs.values, rhs.values).map { $0 - $1 })
    }

    /// X with self · X = rhs, for a symmetric positive-definite self (Cholesky). Nil when
    /// self is not positive definite.
    func choleskySolve(_ rhs: Matrix) -> Matrix? {
        precondition(rows == columns && rhs.rows == rows, "cholesky size")
        let size = rows
        var lower = Matrix(rows: size, columns: size)
        for row in 0..<size {
            for column in 0...row {
                var sum = self[row, column]
                for inner in 0..<column { sum -= lower[row, inner] * lower[column, inner] }
                if row == column {
                    guard sum > 0 else { return nil }
                    lower[row, row] = sum.squareRoot()
                } else {
                    lower[row, column] = sum / lower[column, column]
                }
            }
        }
        var solution = rhs
        for column in 0..<rhs.columns {
            // Forward: L y = b, then back: Lᵀ x = y.
            for row in 0..<size {
                var sum = solution[row, column]
                for inner in 0..<row { sum -= lower[row, inner] * solution[inner, column] }
                solution[row, column] = sum / lower[row, row]
            }
            for row in stride(from: size - 1, through: 0, by: -1) {
                var sum = solution[row, column]
                for inner in (row + 1)..<size { sum -= lower[inner, row] * solution[inner, column] }
                solution[row, column] = sum / lower[row, row]
            }
        }
        return solution
    }
}
