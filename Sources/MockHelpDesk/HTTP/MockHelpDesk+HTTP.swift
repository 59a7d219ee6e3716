import Hummingbird
import Logging
import ServerSupport

extension MockHelpDesk {
    /// Mounts the Help Desk API on `router`, with JSON errors and traffic counting on every route.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.add(middleware: SimulationWorkMiddleware(activity: clock.activity))
        router.add(middleware: TrafficCountingMiddleware { [counters] in counters.record($0) })
        router.add(middleware: JSONErrorMiddleware())
        DocumentController(desk: self).addRoutes(to: router)
        EventsController(desk: self).addRoutes(to: router)
        EventStreamController(desk: self).addRoutes(to: router)
        DeliveriesController(desk: self).addRoutes(to: router)
        StatsController(desk: self).addRoutes(to: router)
        metrics.addRoutes(to: router)
    }

    /// A router serving the Help Desk API alone.
    public func buildRouter() -> Router<BasicRequestContext> {
        let router = Router()
        addRoutes(to: router)
        return router
    }

    /// An application serving the Help Desk API, with the scheduler and dispatcher as its services.
    /// - Parameters:
    ///   - host: Address to bind; loopback by default.
    ///   - port: Port to bind; 0 picks a free one.
    ///   - withServices: Whether the application runs the scheduler and dispatcher. Without them it is the HTTP front
    ///     end alone, which can be stopped and started again (a restart, as clients see one) while the caller keeps
    ///     ``services`` running, so no review or delivery is lost meanwhile.
    ///   - onServerRunning: Called with the bound port once the server listens.
    public func makeApplication(
        host: String = "127.0.0.1",
        port: Int = 8080,
        withServices: Bool = true,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: buildRouter(),
            configuration: .init(address: .hostname(host, port: port), serverName: "MockHelpDesk"),
            services: withServices ? services : [],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            eventLoopGroupProvider: .shared(SimulationThread.eventLoopGroup),
            logger: logger
        )
    }
}
