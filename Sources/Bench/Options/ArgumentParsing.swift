import ArgumentParser
import Foundation
import SimulationSupport

/// A duration option such as `--timeout 15s`.
struct DurationArgument: ExpressibleByArgument, Sendable {
    var duration: Duration

    init?(argument: String) {
        guard let parsed = try? Self.parse(argument) else { return nil }
        self = parsed
    }

    var defaultValueDescription: String { duration.compactDescription }

    init(_ duration: Duration) {
        self.duration = duration
    }

    /// Reads an option's text: a duration with its unit, or a validation error saying what is wrong.
    static func parse(_ text: String) throws -> DurationArgument {
        do {
            return DurationArgument(try Duration(userText: text))
        } catch {
            throw ValidationError(error.description)
        }
    }
}

/// A range of durations such as `--review-delay 2s...5s`.
struct DurationRangeArgument: ExpressibleByArgument, Sendable {
    var range: ClosedRange<Duration>

    init?(argument: String) {
        guard let parsed = try? Self.parse(argument) else { return nil }
        self = parsed
    }

    init(_ range: ClosedRange<Duration>) {
        self.range = range
    }

    /// Reads an option's text: two durations with their units, the shorter first, or a validation error saying
    /// what is wrong (not a range, no unit, reversed).
    static func parse(_ text: String) throws -> DurationRangeArgument {
        do {
            return DurationRangeArgument(try ClosedRange(userText: text))
        } catch {
            throw ValidationError(error.description)
        }
    }

    var defaultValueDescription: String {
        "\(range.lowerBound.compactDescription)...\(range.upperBound.compactDescription)"
    }
}

/// What `parse` makes of an option's text; its error becomes a validation error that names `option`.
func parsing<Value>(_ option: String, _ parse: () throws -> Value) throws -> Value {
    do {
        return try parse()
    } catch {
        throw ValidationError("\(option): \(error)")
    }
}

/// `--review-delay-distribution` with `--review-delay`, as one distribution; a wrong parameter is a validation error
/// that names it.
func parseReviewDelay(shape: String?, range: DurationRangeArgument?, uniformRange: ClosedRange<Duration>) throws -> DelayDistribution {
    try parsing("--review-delay-distribution") { try DelayDistribution.parse(shape: shape, range: range?.range, uniformRange: uniformRange) }
}

/// The review delays of a simulated Help Desk: `--review-delay` and `--review-delay-distribution`, in model time.
struct ReviewDelayOptions: ParsableArguments {
    @Option(help: "Range of review delays, model time (default 2s...5s): uniform spreads over it, other distributions are truncated to it.", transform: DurationRangeArgument.parse)
    var reviewDelay: DurationRangeArgument?

    @Option(help: ArgumentHelp("How review delays are distributed: \(DelayDistribution.shapeUsage) (default uniform).", valueName: "distribution"))
    var reviewDelayDistribution: String?

    /// The distribution the options give, a uniform one over `uniformRange` when they give a shape without a range;
    /// `nil` when neither is given.
    func distribution(uniformRange: ClosedRange<Duration> = .seconds(2) ... .seconds(5)) throws -> DelayDistribution? {
        guard reviewDelay != nil || reviewDelayDistribution != nil else { return nil }
        return try parseReviewDelay(shape: reviewDelayDistribution, range: reviewDelay, uniformRange: uniformRange)
    }
}

/// A comma-separated list of whole numbers, each in `range`, such as `1000,10000`; `nil` when empty or when any
/// entry is not such a number.
func integerList(_ text: String, in range: ClosedRange<Int>) -> [Int]? {
    let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    let values = parts.compactMap(Int.init)
    guard !parts.isEmpty, values.count == parts.count, values.allSatisfy(range.contains) else { return nil }
    return values
}

/// The limits of a measured load phase (`--duration`, after `--warmup`), shared by the load tests.
func validateLoadPhase(duration: DurationArgument, warmup: DurationArgument) throws {
    guard duration.duration >= .milliseconds(100), duration.duration <= .seconds(600) else {
        throw ValidationError("--duration must be from 100ms to 600s")
    }
    guard warmup.duration >= .zero, warmup.duration <= .seconds(60) else { throw ValidationError("--warmup must be from 0s to 60s") }
}

/// A comma-separated list of durations, such as `250ms,1s,4s`, each in `range`, sorted and without repeats; an error
/// names `option`.
func durationList(_ text: String, option: String, in range: ClosedRange<Duration>) throws -> [Duration] {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    var values: Set<Duration> = []
    for part in parts {
        let value: Duration
        do {
            value = try Duration(userText: part)
        } catch {
            throw ValidationError("\(option): \(error.description) (a comma-separated list such as 250ms,1s,4s)")
        }
        guard range.contains(value) else {
            throw ValidationError(
                "\(option): \"\(part)\" is not a duration from \(range.lowerBound.compactDescription) to \(range.upperBound.compactDescription) "
                    + "(a comma-separated list such as 250ms,1s,4s)")
        }
        values.insert(value)
    }
    return values.sorted()
}
