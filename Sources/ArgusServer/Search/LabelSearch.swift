import FluentKit
import Foundation

/// `GET /api/v1/search?q=`: the caller's images whose detection labels or tags match every
/// term of the query. A term matches a label equal to it or holding it as a word, in any
/// case, and a plural term its singular ("dogs" finds "dog"; "cat" finds "tiger cat").
/// An image scores the confidence of its weakest term (each term's best object or tag).
struct LabelSearch {
    let terms: [String]

    init(_ text: String?) throws(APIError) {
        let separators = CharacterSet(charactersIn: " +,").union(.whitespacesAndNewlines)
        let terms = (text ?? "").lowercased().components(separatedBy: separators).filter { !$0.isEmpty }
        guard !terms.isEmpty else { throw .badRequest("invalid_parameter", "q must hold at least one term, as in q=dog+frisbee") }
        guard terms.count <= 8, terms.allSatisfy({ $0.count <= 64 }) else {
            throw .badRequest("invalid_parameter", "q holds at most 8 terms of at most 64 characters")
        }
        self.terms = terms
    }

    /// Whether `label` answers `term`.
    static func matches(_ label: String, term: String) -> Bool {
        let words = label.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init)
        let singular = term.count > 3 && term.hasSuffix("s") ? String(term.dropLast()) : nil
        let whole = label.lowercased()
        return whole == term || words.contains(term) || singular.map { whole == $0 || words.contains($0) } ?? false
    }

    struct Match {
        var score: Double
        var labels: [String]
    }

    /// Image ids with their score and matched labels, best first, at most `limit`.
    func run(userId: UUID, limit: Int, on db: any Database) async throws -> [(UUID, Match)] {
        let objectLabels = try await DetectedObjectRecord.query(on: db).filter(\.$userId == userId)
            .filter(\.$image.$id != nil).unique().all(\.$label)
        let tagLabels = try await ImageTagRecord.query(on: db).filter(\.$userId == userId).unique().all(\.$label)
        var found: [UUID: Match]?
        for term in terms {
            let objects = objectLabels.filter { Self.matches($0, term: term) }
            let tags = tagLabels.filter { Self.matches($0, term: term) }
            guard !objects.isEmpty || !tags.isEmpty else { return [] }
            var best: [UUID: Match] = [:]
            func offer(_ imageId: UUID?, _ label: String, _ score: Double) {
                guard let imageId else { return }
                var match = best[imageId] ?? Match(score: score, labels: [])
                match.score = max(match.score, score)
                if !match.labels.contains(label) { match.labels.append(label) }
                best[imageId] = match
            }
            if !objects.isEmpty {
                for row in try await DetectedObjectRecord.query(on: db).filter(\.$userId == userId)
                    .filter(\.$label ~~ objects).all()
                {
                    offer(row.$image.id, row.label, row.confidence)
                }
            }
            if !tags.isEmpty {
                for row in try await ImageTagRecord.query(on: db).filter(\.$userId == userId).filter(\.$label ~~ tags).all() {
                    offer(row.imageId, row.label, row.score)
                }
            }
            // Every term must match: keep the images matched so far, at their weakest term.
            if let previous = found {
                found = previous.compactMapValues { _ in nil }
                for (id, match) in previous {
                    guard let next = best[id] else { continue }
                    found?[id] = Match(score: min(match.score, next.score), labels: match.labels + next.labels)
                }
            } else {
                found = best
            }
        }
        return (found ?? [:]).sorted { $0.value.score > $1.value.score }.prefix(limit).map { ($0.key, $0.value) }
    }
}
