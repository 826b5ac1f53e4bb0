/// How many items one page of a listing may hold (`limit`), for every keyset listing.
enum PageSize {
    static let allowed = 1...100
    static let `default` = 20
}
