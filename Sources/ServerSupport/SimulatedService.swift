import ServiceLifecycle
import SimulationSupport

/// A service that works for a ``WorkUnit`` of its own, begun when the wrapper is made (before the service group
/// starts it), so the simulation counts the service busy from the start until its first wait on the model.
///
/// Make it only for a service that will run: the unit ends when `run()` returns.
public struct SimulatedService: Service {
    private let base: any Service
    private let unit: WorkUnit?

    /// - Parameters:
    ///   - base: The service.
    ///   - activity: The simulation clock's activity; on a wall clock nothing is tracked.
    ///   - label: What the service is, for the watchdog's report.
    public init(_ base: any Service, activity: SimulationActivity, label: String) {
        self.base = base
        self.unit = activity.begin(label)
    }

    public func run() async throws {
        guard let unit else { return try await base.run() }
        try await unit.run { try await base.run() }
    }
}
