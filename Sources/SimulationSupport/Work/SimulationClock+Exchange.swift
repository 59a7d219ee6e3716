extension SimulationClock {
    /// The HTTP header that carries an exchange's ``WorkUnit/token`` from client to server on a virtual clock.
    public static let workHeader = "simulation-work"

    /// The HTTP header that carries the token of the stream unit a client reads (see ``SimulationActivity/beginStream(_:)``).
    public static let streamHeader = "simulation-stream"

    /// Runs one HTTP exchange: `send` gets the token to put in ``workHeader`` (`nil` on a wall clock) and returns the
    /// answer once it has it.
    ///
    /// On a virtual clock the exchange is a ``WorkUnit`` from the moment the request is sent until the answer is in
    /// hand; the caller's own unit is parked meanwhile, so a request its server holds (a long-poll) lets time move.
    /// The network's one-way delay is slept before the request leaves and after the answer arrives, in model time.
    /// - Parameters:
    ///   - label: What the exchange is, for the watchdog's report.
    ///   - network: The one-way delays of this exchange's request and answer.
    ///   - send: Sends the request with the token and returns the answer.
    public func exchange<Answer>(
        _ label: @autoclosure () -> String,
        network: (request: Duration, answer: Duration) = (.zero, .zero),
        _ send: (_ token: String?) async throws -> Answer
    ) async throws -> Answer {
        if network.request > .zero { try await sleep(for: network.request) }
        let answer: Answer
        if let unit = activity.beginExchange(label()) {
            let parking = WorkUnit.current?.park()
            do {
                // The request itself is I/O, not a wait on the model: nothing inside works for a unit.
                answer = try await WorkUnit.$current.withValue(nil) { try await send(unit.token) }
            } catch {
                parking?.end()
                unit.abandon()
                throw error
            }
            parking?.end()
            unit.received()
        } else {
            answer = try await send(nil)
        }
        if network.answer > .zero { try await sleep(for: network.answer) }
        return answer
    }
}
