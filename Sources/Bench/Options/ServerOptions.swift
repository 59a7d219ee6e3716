import ArgumentParser
import Foundation
import HelpDeskAPI
import Logging
import ServerSupport

/// Options both `serve` commands share: where to bind, how much to log, the webhook secret.
struct ServerOptions: ParsableArguments {
    @Option(help: "Address to bind.")
    var host = "127.0.0.1"

    @Option(parsing: .unconditional, help: "Wall seconds per model second: 0.01 runs a 2-5 s review in 20-50 ms. Use the same on both sides.")
    var timeScale = 1.0

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    func validate() throws {
        guard timeScale > 0, timeScale.isFinite else { throw ValidationError("--time-scale must be a positive number") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level \(logLevel) is not a log level") }
    }

    /// Sends every log line at or above the chosen level to stderr.
    func bootstrapLogging() {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = LazyMetadataLogHandler(StreamLogHandler.standardError(label: label))
            handler.logLevel = level
            return handler
        }
    }

    /// Writes a line to stderr.
    static func announce(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// Parses a webhook secret given by `--secret` or, failing that, by an environment variable.
/// - Returns: `nil` when neither is set.
func webhookSecret(flag: String?, environment name: String) throws -> WebhookSecret? {
    guard let encoded = flag ?? ProcessInfo.processInfo.environment[name] else { return nil }
    do {
        return try WebhookSecret(encoded)
    } catch {
        throw ValidationError("--secret: \(error.description)")
    }
}

/// Checks a port option.
func validatePort(_ port: Int) throws {
    guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
}
