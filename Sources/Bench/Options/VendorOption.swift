import ArgumentParser
import BenchKit
import Flows

/// `--vendor NAME`: a vendor's published limits and webhook behaviour from the package's table (`vendors.txt`).
struct VendorOption: ParsableArguments {
    @Option(help: ArgumentHelp(
        "A vendor's published read limit, webhook timeout and retry schedule (explicit options override them): \(VendorProfile.all.map(\.name).joined(separator: ", ")).",
        valueName: "name"
    ))
    var vendor: String?

    func validate() throws {
        _ = try profile()
    }

    /// The profile named, if one is.
    func profile() throws -> VendorProfile? {
        guard let vendor else { return nil }
        do {
            return try VendorProfile.named(vendor)
        } catch {
            throw ValidationError("--vendor: \(error.description)")
        }
    }
}

/// `--vendor` and `--max-in-flight`: the vendor's published limits and our app's own, for the commands that run or
/// plan our app against a vendor.
struct LimitOptions: ParsableArguments {
    @OptionGroup var vendor: VendorOption

    @Option(parsing: .unconditional, help: "Requests each app instance keeps in flight to the Help Desk at most (default 32): a long-poll holds one per pending document; the models queue for the same slots.")
    var maxInFlight: Int?

    @Flag(help: "With --vendor: also compare the strategies that need what the vendor does not offer, or does not say it offers (marked in the output).")
    var includeUnoffered = false

    func validate() throws {
        if let maxInFlight, !(1...100_000).contains(maxInFlight) { throw ValidationError("--max-in-flight must be from 1 to 100000") }
    }

    /// `strategies` left to those the vendor chosen offers (all of them without a vendor, or with
    /// `--include-unoffered`), and the others with why. Strategies the user named (`given`) that the vendor does not
    /// offer are refused instead, naming `option`.
    func offered(_ strategies: [StrategySpec], given: Bool, option: String = "--strategies") throws -> (kept: [StrategySpec], apart: [(strategy: StrategySpec, availability: StrategyAvailability)]) {
        guard let profile = try vendor.profile(), !includeUnoffered else { return (strategies, []) }
        let (kept, apart) = profile.split(strategies)
        if given, let (strategy, availability) = apart.first {
            throw ValidationError("\(option): \(strategy) needs what is \(availability.reason(vendor: profile.name)); leave it out, or give --include-unoffered to compare it anyway, marked")
        }
        guard !kept.isEmpty else {
            throw ValidationError("\(option): \(profile.name) offers what none of \(strategies.map(\.description).joined(separator: ", ")) needs; give --include-unoffered to compare them anyway, marked")
        }
        return (kept, apart)
    }


    /// `scenario` against the vendor chosen, with our app's in-flight limit when one is given.
    func apply(to scenario: inout ScenarioSpec) throws {
        if let profile = try vendor.profile() { scenario.vendor = profile }
        if let maxInFlight { scenario.maxInFlight = maxInFlight }
    }
}
