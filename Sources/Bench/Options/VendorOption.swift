import ArgumentParser
import BenchKit

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

/// `--max-in-flight N`: requests our app keeps in flight at most, which the models read too.
func validateMaxInFlight(_ value: Int?) throws {
    if let value, !(1...100_000).contains(value) { throw ValidationError("--max-in-flight must be from 1 to 100000") }
}
