import Flows
import Foundation

extension ResultFiles {
    /// `outages.csv`: one row per (outage, strategy); every count at the day's whole rate, measured beside the model
    /// on the same documents.
    public static let outageColumns = [
        "outage_s", "strategy", "documents_per_day", "documents", "scale", "unknown_at_end", "model_unknown_at_end", "catch_up_s",
        "model_catch_up_s", "recovered", "model_recovered", "extra_requests", "model_extra_requests", "peak_deliveries_per_min",
        "model_peak_deliveries_per_min", "lost", "model_lost", "incomplete", "wall_s",
    ]

    public static func outages(_ cells: [OutageMatrix.Cell], documentsPerDay: Int) -> CSVTable {
        var table = CSVTable(columns: outageColumns)
        let count = { (value: Double) in CSVTable.number(value, digits: 1) }
        let seconds = { (value: Double?) in value.map { CSVTable.number($0, digits: 1) } ?? "" }
        for cell in cells {
            let (measured, model) = (cell.measured, cell.model)
            table.rows.append([
                CSVTable.number(cell.outage.secondsValue, digits: 0), cell.strategy.description, String(documentsPerDay), String(cell.result.documents),
                CSVTable.number(cell.scale, digits: 6), count(measured.unknownAtEnd), count(model.unknownAtEnd), seconds(measured.catchUp),
                seconds(model.catchUp), count(measured.recovered), count(model.recovered), count(measured.extraRequests), count(model.extraRequests),
                count(measured.peakDeliveriesPerMinute), count(model.peakDeliveriesPerMinute), count(measured.lost), count(model.lost),
                cell.result.incomplete ?? "", CSVTable.number(cell.result.wallDuration.secondsValue, digits: 2),
            ])
        }
        return table
    }
}

extension SummaryTable {
    /// The outage matrix: each figure measured (model on the same documents), counts at the day's whole rate.
    public static func outages(_ cells: [OutageMatrix.Cell], documentsPerDay: Int) -> String {
        var rows = [["outage", "strategy", "documents", "unknown at end", "catch-up", "replayed/reconciled", "extra requests", "peak deliveries/min", "lost"]]
        let catchUp = { (value: Double?) in value.map(duration) ?? "never" }
        for cell in cells {
            let (measured, model) = (cell.measured, cell.model)
            rows.append([
                cell.outage.compactDescription, cell.strategy.description,
                String(cell.result.documents) + (cell.scale < 1 ? String(format: " at %.3gx", cell.scale) : ""),
                "\(count(measured.unknownAtEnd)) (\(count(model.unknownAtEnd)))",
                "\(catchUp(measured.catchUp)) (\(catchUp(model.catchUp)))",
                "\(count(measured.recovered)) (\(count(model.recovered)))",
                "\(count(measured.extraRequests)) (\(count(model.extraRequests)))",
                "\(count(measured.peakDeliveriesPerMinute)) (\(count(model.peakDeliveriesPerMinute)))",
                "\(count(measured.lost)) (\(count(model.lost)))" + (cell.result.incomplete == nil ? "" : " INCOMPLETE"),
            ])
        }
        return "Receiver outages at \(count(Double(documentsPerDay))) documents a day, Svix's retry schedule, in virtual time; measured (model), every count at the day's rate:\n"
            + render(rows)
    }
}
