import ArgumentParser
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
