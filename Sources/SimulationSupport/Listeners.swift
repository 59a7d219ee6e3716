import Synchronization

/// Whoever wants to hear of every event of one kind (a status poll, a decision), called in the order they were added,
/// on the thread of the event.
public final class Listeners<Event: Sendable>: Sendable {
    private let listeners = Mutex<[@Sendable (Event) -> Void]>([])

    public init() {}

    public func add(_ listener: @escaping @Sendable (Event) -> Void) {
        listeners.withLock { $0.append(listener) }
    }

    public func notify(_ event: Event) {
        for listener in listeners.withLock({ $0 }) { listener(event) }
    }
}
