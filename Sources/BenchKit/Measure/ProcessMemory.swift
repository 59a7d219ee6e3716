import Foundation

/// This process's resident memory, from `/proc/self/status` (Linux); `nil` elsewhere.
public enum ProcessMemory {
    /// Resident set size now, bytes.
    public static var residentBytes: UInt64? { field("VmRSS") }

    /// The highest resident set size since the process started or ``resetPeak()`` last ran, bytes.
    public static var peakResidentBytes: UInt64? { field("VmHWM") }

    /// Starts the peak over from the current size (`echo 5 > /proc/self/clear_refs`), so a peak can be read per run.
    public static func resetPeak() {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return }
        defer { try? handle.close() }
        try? handle.write(contentsOf: Data("5".utf8))
    }

    private static func field(_ name: String) -> UInt64? {
        // A /proc file reports a size of 0: read it to its end rather than by its size.
        guard let handle = FileHandle(forReadingAtPath: "/proc/self/status") else { return nil }
        defer { try? handle.close() }
        let text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
            let number = line.dropFirst(name.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap { UInt64($0) }
            return number.map { $0 * 1024 }
        }
        return nil
    }
}
