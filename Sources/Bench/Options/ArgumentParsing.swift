import ArgumentParser
import Foundation
import SimulationSupport

/// A duration option such as `--timeout 15s`.
struct DurationArgument: ExpressibleByArgument, Sendable {
    var duration: Duration

    init?(argument: String) {
        guard let duration = Duration(parsing: argument) else { return nil }
        self.duration = duration
    }

    var defaultValueDescription: String { duration.compactDescription }

    init(_ duration: Duration) {
        self.duration = duration
    }
}

/// A range of durations such as `--review-delay 2s...5s`.
struct DurationRangeArgument: ExpressibleByArgument, Sendable {
    var range: ClosedRange<Duration>

    init?(argument: String) {
        let parts = argument.components(separatedBy: "...")
        guard parts.count == 2, let low = Duration(parsing: parts[0]), let high = Duration(parsing: parts[1]), low <= high else {
            return nil
        }
        range = low...high
    }

    init(_ range: ClosedRange<Duration>) {
        self.range = range
    }

    var defaultValueDescription: String {
        "\(range.lowerBound.compactDescription)...\(range.upperBound.compactDescription)"
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
