import Foundation

/// The modelled network between our app and the Help Desk: a one-way delay, in model time, that every request and
/// answer between the two pays in each direction (webhooks, polls, the event feed, each event of a stream).
///
/// A delay is a fixed duration or a ``DelayDistribution``; each crossing's draw depends only on the seed and on what
/// crosses (``delay(for:)``'s key), never on the order in which concurrent work asked, so a run is reproducible.
public struct NetworkDelay: Sendable, Hashable, CustomStringConvertible {
    /// The one-way delay; `nil` for none.
    public var oneWay: DelayDistribution?
    public var seed: UInt64

    public init(oneWay: DelayDistribution? = nil, seed: UInt64 = 0) {
        self.oneWay = oneWay
        self.seed = seed
    }

    /// No delay at all.
    public static let none = NetworkDelay()

    /// The same delay every time.
    public static func fixed(_ delay: Duration) -> NetworkDelay {
        delay > .zero ? NetworkDelay(oneWay: .uniform(delay...delay)) : .none
    }

    public var isNone: Bool { oneWay == nil }

    /// The delay of one crossing.
    /// - Parameter key: What crosses, in words that name it alone in the run: `"GET /document/doc_1 #3 request"`.
    public func delay(for key: @autoclosure () -> String) -> Duration {
        guard let oneWay else { return .zero }
        if oneWay.isConstant { return oneWay.lowerBound }
        var random = SeededGenerator(seed: seed, stream: "network/" + key(), index: 0)
        return oneWay.draw(random.nextUnit())
    }

    /// The mean one-way delay, for the models.
    public var mean: Duration {
        guard let oneWay else { return .zero }
        return .seconds((0..<1000).reduce(0.0) { $0 + oneWay.quantile((Double($1) + 0.5) / 1000) } / 1000)
    }

    public var description: String {
        guard let oneWay else { return "0s" }
        return oneWay.isConstant ? oneWay.lowerBound.compactDescription : oneWay.description
    }
}

extension NetworkDelay {
    /// What ``parse(_:)`` reads, as an option's help lists it.
    public static let usage = "a duration (25ms), a range drawn evenly (10ms...40ms), exponential:MEAN, lognormal:MEDIAN,SIGMA or empirical:FILE.csv"

    /// Reads a one-way delay as the command line gives it: see ``usage``. Zero is no delay.
    /// - Throws: A message saying what is wrong.
    public static func parse(_ text: String) throws(DelayDistributionError) -> NetworkDelay {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.contains("...") {
            let range: ClosedRange<Duration>
            do {
                range = try ClosedRange(userText: trimmed)
            } catch {
                throw DelayDistributionError("a range of delays is two durations, the lower first, such as 10ms...40ms: \(error.description)")
            }
            return range.upperBound > .zero ? NetworkDelay(oneWay: .uniform(range)) : .none
        }
        guard trimmed.contains(":") else {
            do {
                return .fixed(try Duration(userText: trimmed))
            } catch {
                throw DelayDistributionError("must be \(usage): \(error.description)")
            }
        }
        return NetworkDelay(oneWay: try DelayDistribution.parse(shape: trimmed, range: nil, uniformRange: .zero ... .zero))
    }
}
