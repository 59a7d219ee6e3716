import Synchronization

/// One piece of work in hand in a virtual-time simulation: a service's loop, a submission, an HTTP exchange, a
/// stream, a task a deadline started.
///
/// Model time moves only while every unit is idle (see ``SimulationActivity``). A unit is *running* while any of its
/// holders runs: it is begun running, each of its waits on the simulation (a clock sleep, a ``ChangeWaiters`` or
/// ``WakeSignal`` wait) *parks* it, and whoever ends the wait (the clock, a notifier, a signaller) unparks it
/// **before** letting the woken task go, so there is never an instant at which work in transit looks idle. A stream
/// unit also carries *credit*: bytes written to a stream and not yet handled by its reader.
///
/// The unit a task works for is the task-local ``current``; child tasks inherit it, so a task that starts children
/// that may wait on their own gives each its own unit (``SimulationActivity/begin(_:)``). With a wall clock nothing
/// is tracked: ``SimulationActivity/begin(_:)`` returns `nil` and every operation on a missing unit does nothing.
public final class WorkUnit: Sendable, CustomStringConvertible {
    /// The unit the current task works for, if any.
    @TaskLocal public static var current: WorkUnit?

    let id: UInt64
    let activity: SimulationActivity

    init(id: UInt64, activity: SimulationActivity) {
        self.id = id
        self.activity = activity
    }

    /// The label it was begun with, for the watchdog's report.
    public var description: String { activity.label(of: self) }

    /// What the header of an HTTP exchange carries: the unit's number.
    public var token: String { String(id) }

    /// Runs `body` as this unit's work and ends the unit when it returns or throws.
    public func run<Result>(_ body: () async throws -> Result) async rethrows -> Result {
        defer { end() }
        return try await Self.$current.withValue(self) { try await body() }
    }

    /// Runs `body` as this unit's work, without ending the unit: for a handler that works for a unit someone else
    /// ends (a server handling a client's exchange).
    public func adopt<Result>(_ body: () async throws -> Result) async rethrows -> Result {
        try await Self.$current.withValue(self) { try await body() }
    }

    /// Marks this unit's holder as waiting; the returned parking unparks it once, when ended.
    public func park() -> Parking {
        let parking = Parking(unit: self)
        parking.begin()
        return parking
    }

    /// A parking not yet begun: a wait registers it under its own lock, then calls ``Parking/begin()`` once the lock
    /// is released (the activity may read the clock, whose lock a wait may hold). A waker that ends it first leaves the
    /// unit running, as it should be.
    func prepareParking() -> Parking {
        Parking(unit: self)
    }

    /// Lets go of this unit: the holder that began it is done.
    public func end() {
        activity.change(self) { $0.holders -= 1 }
    }

    /// Adds a holder: a second party that works for this unit until it calls ``end()`` (a server writing a stream).
    public func join() {
        activity.change(self) { $0.holders += 1 }
    }

    /// Bytes written to the stream this unit stands for: in transit until the reader settles them.
    public func credit(_ bytes: Int) {
        activity.change(self) { if !$0.closed { $0.credit += bytes } }
    }

    /// Bytes the reader has handled.
    public func settle(_ bytes: Int) {
        activity.change(self) { $0.credit = max(0, $0.credit - bytes) }
    }

    /// The reader is gone: whatever is still in transit will never be handled, and later credit is ignored.
    public func close() {
        activity.change(self) { state in
            state.closed = true
            state.credit = 0
        }
    }
}

/// A wait of a ``WorkUnit``'s holder, ended once: by whoever wakes the waiter, before the waiter runs again.
public final class Parking: Sendable {
    private static let prepared: UInt8 = 0
    private static let begun: UInt8 = 1
    private static let ended: UInt8 = 2

    private let unit: WorkUnit
    private let phase = Atomic<UInt8>(Parking.prepared)

    init(unit: WorkUnit) {
        self.unit = unit
    }

    /// Parks the unit, unless the parking was already ended.
    func begin() {
        guard phase.compareExchange(expected: Self.prepared, desired: Self.begun, ordering: .acquiringAndReleasing).exchanged else { return }
        unit.activity.change(unit) { $0.parked += 1 }
    }

    /// Unparks the unit if it was parked; only the first call counts.
    public func end() {
        guard phase.exchange(Self.ended, ordering: .acquiringAndReleasing) == Self.begun else { return }
        unit.activity.change(unit) { $0.parked -= 1 }
    }
}

extension WorkUnit {
    /// Parks the current unit while `body` awaits something that no event of the simulation ends (the end of the run,
    /// a shutdown), and unparks it after.
    public static func awayFromSimulation<Result>(_ body: () async throws -> Result) async rethrows -> Result {
        let parking = current?.park()
        defer { parking?.end() }
        return try await body()
    }
}

extension Optional where Wrapped == WorkUnit {
    /// Runs `body` as the unit's work and ends the unit after (see ``WorkUnit/run(_:)``); without a unit (a wall
    /// clock), runs it as it is.
    public func run<Result>(_ body: () async throws -> Result) async rethrows -> Result {
        guard let unit = self else { return try await body() }
        return try await unit.run(body)
    }
}
