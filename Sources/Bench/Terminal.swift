import Foundation

/// Where a command's tables and messages for people go: standard output, unless a machine-readable form owns it.
///
/// `Bench check --format junit` (or markdown, github) without `--format-out` writes that form to standard output and
/// nothing else, so the run it makes first shows its tables on standard error, beside the progress and the logs.
enum Terminal {
    /// Whether this task's messages go to standard error.
    @TaskLocal static var toStandardError = false

    /// Writes `text` and `terminator` for people: to standard output, or standard error while it is taken.
    static func show(_ text: String, terminator: String = "\n") {
        if toStandardError {
            FileHandle.standardError.write(Data((text + terminator).utf8))
        } else {
            print(text, terminator: terminator)
        }
    }

    /// Writes `text` to standard output, whoever has the terminal: the machine-readable result itself.
    static func result(_ text: String) {
        print(text, terminator: "")
        fflush(nil)
    }
}
