import NIOCore
import NIOPosix
import Synchronization

/// Whether the PostgreSQL server accepts TCP connections at all: asked when a step has waited a while for a pooled
/// connection and nothing has told the store yet that the server is gone. PostgresNIO's pool keeps its own failed
/// connection attempts to itself, so with no statement running when the server stopped, nothing else would.
///
/// A refused or timed-out connection means the server is down (or not listening yet); one that is accepted means it
/// is there, perhaps busy or still starting, so the step goes on waiting. Steps that ask at the same time share one
/// attempt.
final class ServerProbe: Sendable {
    static let timeout: TimeAmount = .seconds(1)

    private let host: String
    private let port: Int
    private let group: any EventLoopGroup
    private let running = Mutex<Task<Bool, Never>?>(nil)

    init(host: String, port: Int, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.host = host
        self.port = port
        self.group = group
    }

    func acceptsConnections() async -> Bool {
        let attempt = running.withLock { running in
            if let running { return running }
            let attempt = Task { await self.connect() }
            running = attempt
            return attempt
        }
        let accepted = await attempt.value
        running.withLock { if $0 == attempt { $0 = nil } }
        return accepted
    }

    private func connect() async -> Bool {
        do {
            let channel = try await ClientBootstrap(group: group)
                .connectTimeout(Self.timeout)
                .connect(host: host, port: port)
                .get()
            try? await channel.close()
            return true
        } catch {
            return false
        }
    }
}
