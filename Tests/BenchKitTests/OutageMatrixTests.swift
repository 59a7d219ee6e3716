import Foundation
import Testing

@testable import BenchKit
@testable import Flows

/// The outage matrix on a small budget: every verdict arrives where the design promises it, the replay and the
/// sweeps do the recovering, and each figure agrees with its model on the same documents.
@Suite(.timeLimit(.minutes(3)))
struct OutageMatrixTests {
    @Test func anOutagePastTheRetryHorizonIsRecoveredByTheReplayAndByTheSweeps() async throws {
        var options = OutageMatrix.Options()
        // 30 h: past the 27.6 h of Svix's schedule, so the first messages are dead-lettered before it ends.
        options.outages = [.seconds(60), .seconds(30 * 3600)]
        options.strategies = [.webhook, .hybrid(sweep: .seconds(60), staleAfter: .seconds(120)), .pollFixed(interval: .seconds(60))]
        options.budget = 60
        options.pollingBudget = 10
        let cells = try await OutageMatrix(options: options, progress: ProgressLine(enabled: false), logger: .init(label: "test")).run()
        #expect(cells.count == 6)
        for cell in cells {
            #expect(cell.result.incomplete == nil)
            #expect(cell.result.lost == 0, "\(cell.outage) \(cell.strategy): nothing lost, replayed or reconciled")
            #expect(cell.result.doubleApplied == 0)
            #expect(cell.result.webhookFailedAttempts == 0 || cell.strategy.usesWebhooks)
        }
        let long = try #require(cells.first { $0.outage == .seconds(30 * 3600) && $0.strategy == .webhook })
        #expect(long.result.webhooksReplayed > 0, "the messages that ran out of attempts came back by the replay")
        #expect(long.result.recoveryRequests == 2, "enable, then replay")
        #expect(long.measured.unknownAtEnd > 0 && long.measured.catchUp ?? 0 > 0)
        let hybrid = try #require(cells.first { $0.outage == .seconds(30 * 3600) && $0.strategy.description.hasPrefix("hybrid") })
        #expect(hybrid.result.reconciled > 0 && hybrid.result.webhooksReplayed == 0)
        #expect(hybrid.measured.catchUp ?? .infinity < 180, "its sweeps knew all but the last minutes' verdicts during the outage")
        let polling = try #require(cells.first { $0.outage == .seconds(30 * 3600) && $0.strategy == .pollFixed(interval: .seconds(60)) })
        #expect(polling.result.webhookAttempts == 0 && polling.measured.catchUp ?? .infinity <= 60 + 1)
        // Every count beside its model on the same documents: the same documents unknown and recovered, to the one.
        for cell in cells {
            #expect(cell.measured.unknownAtEnd == cell.model.unknownAtEnd, "\(cell.outage) \(cell.strategy)")
            #expect(cell.measured.recovered == cell.model.recovered, "\(cell.outage) \(cell.strategy)")
            #expect(cell.measured.lost == cell.model.lost)
            if let measured = cell.measured.catchUp, let model = cell.model.catchUp {
                #expect(abs(measured - model) <= max(1, 0.05 * model), "\(cell.outage) \(cell.strategy): catch-up \(measured) s, model \(model) s")
            }
            #expect(abs(cell.measured.extraRequests - cell.model.extraRequests) <= max(1 / cell.scale, 0.05 * cell.model.extraRequests))
        }
        let table = ResultFiles.outages(cells, documentsPerDay: options.documentsPerDay)
        #expect(table.columns == ResultFiles.outageColumns)
        #expect(table.rows.count == 6)
        #expect(SummaryTable.outages(cells, documentsPerDay: options.documentsPerDay).contains("30h"))
    }

    @Test func aCellRunsTheDocumentsDecidedAroundTheOutageWithTheReviewsTheDayGivesThem() {
        let matrix = OutageMatrix(progress: ProgressLine(enabled: false), logger: .init(label: "test"))
        let (scenario, scale) = matrix.scenario(outage: .seconds(3600), strategy: .webhook)
        let start = matrix.outageStart
        #expect(scale < 1 && scenario.documents > 0 && scenario.documents <= matrix.options.budget * 3 / 2)
        let draws = try! #require(scenario.reviewDraws)
        for (ordinal, arrival) in (scenario.explicitArrivals ?? []).enumerated() {
            let decided = arrival + scenario.reviewDelay(ofSubmission: UInt64(ordinal))
            #expect(decided >= start - matrix.options.margin && decided <= start + .seconds(3600) + matrix.options.margin)
            var day = scenario
            day.reviewDraws = nil
            #expect(scenario.reviewDelay(ofSubmission: UInt64(ordinal)) == day.reviewDelay(ofSubmission: draws[ordinal]), "the review the day gives it")
        }
        #expect(scenario.receiverFaults.outage == ReceiverOutageWindow(start: start, length: .seconds(3600), announcesEnd: false, recoverAfter: true))
    }
}
