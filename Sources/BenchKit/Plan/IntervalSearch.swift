import Flows
import SimulationSupport

/// The cheapest member of a polling family whose modelled p99 latency meets a target.
public enum IntervalSearch {
    /// A member of a family with its model.
    public struct Choice: Sendable {
        public var family: PollingFamily
        public var parameter: Duration
        public var model: StrategyModel

        public var strategy: StrategySpec { family.strategy(parameter) }
    }

    /// The candidate with the fewest requests per document among those whose p99 is at most `target`; among equally
    /// cheap ones, the one with the lowest p99 (then the shortest parameter).
    ///
    /// Requests per document never rise with the parameter (see ``PollingFamily``), so the cheapest candidate that
    /// meets the target is the longest one that does: the search walks down from the longest candidate, stops at the
    /// first that meets the target, and goes on only while the cost stays the same, to take the best latency of that
    /// cost. It evaluates the model only above the answer, where a scan of every candidate evaluates them all.
    ///
    /// - Parameters:
    ///   - candidates: The parameters considered; by default ``PollingFamily/candidates``.
    ///   - evaluate: The model of the family's member at a parameter; by default computed on `workload`.
    /// - Returns: `nil` when no candidate meets the target.
    public static func cheapest(
        _ family: PollingFamily,
        meeting target: Duration,
        on workload: ModelWorkload,
        candidates: [Duration]? = nil,
        evaluate: ((Duration) -> StrategyModel)? = nil
    ) -> Choice? {
        let limit = target.secondsValue
        let evaluate = evaluate ?? { family.strategy($0).model(workload) }
        var best: Choice?
        for parameter in (candidates ?? family.candidates).sorted(by: >) {
            let model = evaluate(parameter)
            if let chosen = best {
                guard sameCost(model.requestsPerDocument, chosen.model.requestsPerDocument) else { break }
                if model.latency.quantile(0.99) <= min(limit, chosen.model.latency.quantile(0.99)) {
                    best = Choice(family: family, parameter: parameter, model: model)
                }
            } else if model.latency.quantile(0.99) <= limit {
                best = Choice(family: family, parameter: parameter, model: model)
            }
        }
        return best
    }

    /// Costs equal but for rounding.
    static func sameCost(_ a: Double, _ b: Double) -> Bool {
        abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1)
    }
}
