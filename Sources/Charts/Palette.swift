/// Okabe and Ito's colour-blind-safe palette (its black, which is the ink, replaced by a grey; its yellow darkened to
/// read on white) and, ninth, the wine of Paul Tol's muted scheme, readable on light and dark backgrounds and in print.
/// Series beyond nine repeat a colour with another marker shape (a stacked bar has no more than nine keys).
public enum Palette {
    public static let colors = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#B8A300", "#8C8C8C", "#882255"]

    public static func color(_ index: Int) -> String { colors[index % colors.count] }

    public static func shape(_ index: Int) -> MarkerShape { MarkerShape.allCases[(index / colors.count) % MarkerShape.allCases.count] }
}

/// How a point is drawn.
public enum MarkerShape: String, Sendable, Hashable, CaseIterable {
    case circle, square, triangle, diamond
}
