import Synchronization

/// Models loaded on first use and shared afterwards, one per key. Two callers racing on
/// a cold key may both load it; the first to finish is kept, so every caller gets the
/// same instance.
public final class LoadedOnce<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let loaded = Mutex<[Key: Value]>([:])

    public init() {}

    public func value(_ key: Key, load: () throws -> Value) rethrows -> Value {
        if let value = loaded.withLock({ $0[key] }) { return value }
        let value = try load()
        return loaded.withLock { cache in
            if let cached = cache[key] { return cached }
            cache[key] = value
            return value
        }
    }
}
