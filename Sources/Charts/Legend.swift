/// Lays out legend entries in rows: each entry its symbol and label, left to right, wrapping at the width.
public enum Legend {
    /// The width a label takes at the legend's 12 px font, estimated from its characters.
    public static func textWidth(_ text: String) -> Double { Double(text.count) * 6.8 }

    /// Where each entry goes: its x offset from the legend's left edge and its row (0 first).
    public static func layout(_ labels: [String], width: Double, symbol: Double = 26, gap: Double = 18) -> [(x: Double, row: Int)] {
        var placed: [(x: Double, row: Int)] = []
        var x = 0.0
        var row = 0
        for label in labels {
            let entry = symbol + textWidth(label)
            if x > 0, x + entry > width {
                x = 0
                row += 1
            }
            placed.append((x, row))
            x += entry + gap
        }
        return placed
    }
}
