import HelpDeskAPI
import Hummingbird

/// Turns every error a handler throws into a JSON ``APIErrorBody`` answer, so no client ever sees an empty error.
///
/// An ``APIError`` answers as it is; Hummingbird's own errors (an unknown route, a body that cannot be read) keep their
/// status and gain a message; anything else is logged and answers 500 without its details.
public struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as HTTPError {
            let message: String
            if error.status == .notFound, context.endpointPath == nil || context.endpointPath == "NotFound" {
                message = "no route for \(request.method) \(request.uri.path)"
            } else {
                message = error.body ?? error.status.reasonPhrase
            }
            return try APIError(error.status, message, headers: error.headers).response(from: request, context: context)
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            return try APIError(.internalServerError, "internal error").response(from: request, context: context)
        }
    }
}
