import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One thread for a virtual-clock run: while a run is ``confine(_:_:)``d, Swift concurrency's global executor hands
/// every job to one SwiftNIO event loop, and the run's servers and clients (``eventLoopGroup``) do their I/O on that
/// same loop. A task and the channel it writes to then share a thread: no hand-over between them wakes another one.
///
/// On a virtual clock this costs nothing a figure could show (model time does not move while any work is in hand,
/// and every draw is seeded), and it removes most of a model event's wall time: the futex wake-ups and context
/// switches of each hop between Swift's pool and an event loop. On the wall clock a run keeps both cores.
///
/// A run is confined only where both hold: the process ``install()``ed the hook, and the run's task asked for it
/// (``enabled(isolation:_:)``, which `Bench` wraps around its commands). Everywhere else (outside a run, the tests) jobs go to
/// Swift's own pool as before, and clients and servers use SwiftNIO's shared event loops.
public enum SimulationThread {
    private static let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private static let loop: any NIOSerialEventLoopExecutor = {
        guard let loop = group.next() as? any NIOSerialEventLoopExecutor else {
            preconditionFailure("SwiftNIO's event loops are serial executors")
        }
        return loop
    }()
    private static let installed = Atomic<Bool>(false)
    /// Runs confined now: the global executor hands its jobs to the loop while this is above zero.
    private static let confinedRuns = Atomic<Int>(0)

    /// The event loops that servers and clients made in this task take: the simulation's loop in a confined run,
    /// SwiftNIO's shared ones otherwise.
    public static var eventLoopGroup: any EventLoopGroup { current ?? NIOSingletons.posixEventLoopGroup }

    @TaskLocal private static var current: (any EventLoopGroup)?
    @TaskLocal private static var isEnabled = false

    /// Whether ``install()`` took over the global executor.
    public static var isInstalled: Bool { installed.load(ordering: .acquiring) }

    /// Whether a virtual run this task starts is confined (see ``confine(_:_:)``).
    public static var confinesVirtualRuns: Bool { isEnabled && isInstalled }

    /// Takes over Swift concurrency's global executor with a hook that forwards every job to Swift's own pool,
    /// except while a run is confined. Call it on the main thread before any task exists (a test may call it later:
    /// until a run is confined, the hook changes nothing); calling it again does nothing.
    /// - Returns: `false` when another hook is already in place (SwiftNIO's, from `--executor nio`): runs are then
    ///   not confined.
    @discardableResult
    public static func install() -> Bool {
        typealias Original = @convention(thin) (UnownedJob) -> Void
        typealias Hook = @convention(thin) (UnownedJob, Original) -> Void
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "swift_task_enqueueGlobal_hook") else { return false }
        // Written before any task exists (Bench's entry), or in a test while the slot still holds nothing: the
        // runtime reads the pointer whole, and finds Swift's own pool behind either value until a run is confined.
        let slot = symbol.assumingMemoryBound(to: UnsafeRawPointer?.self)
        let hook: Hook = { job, original in
            if SimulationThread.confinedRuns.load(ordering: .relaxed) > 0 {
                SimulationThread.loop.enqueue(ExecutorJob(job))
            } else {
                original(job)
            }
        }
        let ours = unsafeBitCast(hook, to: UnsafeRawPointer.self)
        guard slot.pointee == nil || slot.pointee == ours else { return false }
        slot.pointee = ours
        installed.store(true, ordering: .releasing)
        return true
    }

    /// Runs `body`, in which the virtual runs that ask to be confined (``confine(_:_:)``) are.
    public static func enabled<Result: Sendable>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> Result
    ) async rethrows -> Result {
        try await $isEnabled.withValue(true, operation: body)
    }

    /// Runs `body` on the simulation's thread, with ``eventLoopGroup`` set to its loop, when `wanted`, the hook is
    /// installed and this task is within ``enabled(isolation:_:)``; otherwise just runs it.
    public static func confine<Result: Sendable>(
        _ wanted: Bool,
        _ body: () async throws -> Result
    ) async throws -> Result {
        guard wanted, confinesVirtualRuns else { return try await body() }
        confinedRuns.add(1, ordering: .relaxed)
        defer { confinedRuns.subtract(1, ordering: .relaxed) }
        return try await $current.withValue(group) { try await body() }
    }
}
