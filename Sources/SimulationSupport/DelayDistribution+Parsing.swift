import Foundation

extension DelayDistribution {
    /// The shapes an option can name, as its help lists them.
    public static let shapeUsage = "uniform, exponential:MEAN, lognormal:MEDIAN,SIGMA or empirical:FILE.csv"

    /// Reads a distribution as the command line gives it: a shape and, optionally, a range of delays.
    ///
    /// - Parameters:
    ///   - shape: `uniform`, `exponential:MEAN`, `lognormal:MEDIAN,SIGMA` or `empirical:FILE.csv` (one observed delay a
    ///     row; see ``EmpiricalDelays``); `nil` for uniform.
    ///   - range: The delays that can be drawn: uniform spreads over it, the other shapes are truncated to it.
    ///   - uniformRange: The range of a uniform shape given without one.
    ///   - readFile: Reads an empirical file's text.
    /// - Throws: A message naming the parameter that is wrong, or the file's line.
    public static func parse(
        shape: String?,
        range: ClosedRange<Duration>?,
        uniformRange: ClosedRange<Duration>,
        readFile: (String) throws -> String = { try String(contentsOfFile: $0, encoding: .utf8) }
    ) throws(DelayDistributionError) -> DelayDistribution {
        let text = (shape ?? "uniform").trimmingCharacters(in: .whitespaces)
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        let name = parts.first ?? ""
        let parameters = parts.count > 1 ? parts[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init) : []
        func count(_ expected: Int, _ usage: String) throws(DelayDistributionError) {
            guard parameters.count != expected else { return }
            let count = expected == 0 ? "no parameters" : expected == 1 ? "one parameter" : "\(expected) parameters"
            throw DelayDistributionError("\(name) takes \(count): \(usage)")
        }
        func duration(_ index: Int, _ parameter: String) throws(DelayDistributionError) -> Duration {
            let value: Duration
            do {
                value = try Duration(userText: parameters[index])
            } catch {
                throw DelayDistributionError("\(name): the \(parameter) \(error.description)")
            }
            guard value > .zero else {
                throw DelayDistributionError("\(name): the \(parameter) must be a positive duration such as 90s, 20m or 1.5h, not \"\(parameters[index])\"")
            }
            // A median or mean outside the delays that can be drawn piles the draws against one end of the range.
            if let range, !range.contains(value) {
                throw DelayDistributionError(
                    "\(name): the \(parameter) \(value.compactDescription) lies outside the review delays \(range.lowerBound.compactDescription)...\(range.upperBound.compactDescription): give one inside them, or widen --review-delay"
                )
            }
            return value
        }
        switch name {
        case "uniform":
            try count(0, "uniform (over --review-delay's range)")
            return .uniform(range ?? uniformRange)
        case "exponential":
            try count(1, "exponential:MEAN, such as exponential:30m")
            return try DelayDistribution(.exponential(mean: try duration(0, "mean")), bounds: range)
        case "lognormal":
            try count(2, "lognormal:MEDIAN,SIGMA, such as lognormal:20m,1.2")
            let median = try duration(0, "median")
            guard let sigma = Double(parameters[1].trimmingCharacters(in: .whitespaces)), sigma.isFinite, sigma > 0 else {
                throw DelayDistributionError("lognormal: sigma must be a positive number such as 1.2, not \"\(parameters[1])\"")
            }
            return try DelayDistribution(.lognormal(median: median, sigma: sigma), bounds: range)
        case "empirical":
            guard parts.count > 1, !parts[1].isEmpty else { throw DelayDistributionError("empirical takes a file: empirical:FILE.csv") }
            let path = parts[1]
            let contents: String
            do {
                contents = try readFile(path)
            } catch {
                throw DelayDistributionError("empirical: \(path) cannot be read (\(error.localizedDescription))")
            }
            let seconds = try EmpiricalDelays.parse(contents, source: path)
            return try DelayDistribution(.empirical(seconds: seconds, source: path), bounds: range)
        default:
            throw DelayDistributionError("unknown distribution \"\(text)\"; use \(shapeUsage)")
        }
    }
}

/// Observed delays in a CSV file: one delay a row, as a duration (`90s`, `20m`, `1.5h`) or a number of seconds.
///
/// A first row that is not a delay is a header. With one column, any header; with several, the delays are in the
/// column named `delay`, `delay_s`, `delay_seconds` or `review_delay`. Blank rows and rows starting with `#` are
/// skipped. Any other row that is not a delay refuses the whole file, naming its line.
public enum EmpiricalDelays {
    static let columnNames = ["delay", "delay_s", "delay_seconds", "review_delay"]

    /// - Returns: The delays in seconds, in file order.
    public static func parse(_ text: String, source: String) throws(DelayDistributionError) -> [Double] {
        var column = 0
        var columns = 1
        var seconds: [Double] = []
        var sawRow = false
        // Splitting on "\n" and trimming "\r" reads both LF and CRLF files with the right line numbers.
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            let number = offset + 1
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if !sawRow {
                sawRow = true
                columns = fields.count
                if columns > 1 {
                    // Several columns need a header naming the delays' column.
                    guard let index = fields.firstIndex(where: { Self.columnNames.contains($0.lowercased()) }) else {
                        throw DelayDistributionError("\(source) line \(number): with several columns, the first row must name the delays' column \(Self.columnNames.joined(separator: " or "))")
                    }
                    column = index
                    continue
                }
                // One column: a first row that is not a delay is its header.
                if Duration(parsing: fields[0]) == nil { continue }
            }
            guard fields.count == columns else {
                throw DelayDistributionError("\(source) line \(number): \(fields.count) fields where the first row has \(columns)")
            }
            guard let delay = Duration(parsing: fields[column]) else {
                throw DelayDistributionError("\(source) line \(number): \"\(fields[column])\" is not a delay (a duration such as 90s, 20m or 1.5h, or a number of seconds)")
            }
            seconds.append(delay.secondsValue)
        }
        guard !seconds.isEmpty else { throw DelayDistributionError("\(source): no delays (one a row, such as 90s or 20m)") }
        return seconds
    }
}
