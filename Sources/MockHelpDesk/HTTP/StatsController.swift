import HelpDeskAPI
import Hummingbird
import ServerSupport

/// `GET /_stats`: the Help Desk's counters as ``HelpDeskStats``.
struct StatsController<Context: RequestContext> {
    let desk: MockHelpDesk

    func addRoutes(to router: Router<Context>) {
        router.get("_stats") { _, _ in try Response.json(desk.stats()) }
    }
}
