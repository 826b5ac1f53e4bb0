import FluentKit
import Foundation

/// A record listed in creation order, paged by (created_us, id): stable under inserts,
/// and as fast on the thousandth page as on the first.
protocol KeysetOrdered: Model where IDValue == UUID {
    var createdMicros: Int64 { get }
    static var createdMicrosField: KeyPath<Self, FieldProperty<Self, Int64>> { get }
    static var idField: KeyPath<Self, IDProperty<Self, UUID>> { get }
}

/// Which end of the listing comes first.
enum KeysetOrder: Sendable {
    case newestFirst, oldestFirst

    var direction: DatabaseQuery.Sort.Direction { self == .newestFirst ? .descending : .ascending }
}

extension QueryBuilder where Model: KeysetOrdered {
    /// One page in `order` after `cursor`, with the
    /// cursor of the next page when there is one.
    /// - Parameters:
    ///   - cursor: where the previous page ended; nil for the first page.
    ///   - limit: the most items returned.
    func page(
        after cursor: KeysetCursor?, order: KeysetOrder, limit: Int
    ) async throws
        -> (items: [Model], next: KeysetCursor?)
    {
        let created = Model.createdMicrosField
        let id = Model.idField
        if let cursor {
            let descending = order == .newestFirst
            group(.or) { group in
                if descending {
                    group.filter(created < cursor.micros).group(.and) {
                        $0.filter(created == cursor.micros).filter(id < cursor.id)
                    }
                } else {
                    group.filter(created > cursor.micros).group(.and) {
                        $0.filter(created == cursor.micros).filter(id > cursor.id)
                    }
                }
            }
        }
        let rows = try await sort(created, order.direction).sort(id, order.direction).limit(limit + 1).all()
        let items = Array(rows.prefix(limit))
        guard rows.count > limit, let last = items.last, let lastId = last.id else { return (items, nil) }
        return (items, KeysetCursor(micros: last.createdMicros, id: lastId))
    }
}
