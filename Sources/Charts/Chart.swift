/// An axis: its title (with units) and whether it is linear or logarithmic.
public struct Axis: Sendable, Hashable {
    public var title: String
    public var kind: Scale.Kind
    /// Widen a linear domain to include zero.
    public var includingZero: Bool

    public init(_ title: String, _ kind: Scale.Kind, includingZero: Bool = false) {
        self.title = title
        self.kind = kind
        self.includingZero = includingZero
    }
}

/// A point drawn with a marker, with its tooltip.
public struct Marker: Sendable, Hashable {
    public var x: Double
    public var y: Double
    public var series: Int
    public var filled: Bool
    public var tooltip: String

    public init(x: Double, y: Double, series: Int, filled: Bool = true, tooltip: String) {
        self.x = x
        self.y = y
        self.series = series
        self.filled = filled
        self.tooltip = tooltip
    }
}

/// A polyline through points in data coordinates.
public struct Line: Sendable {
    public var points: [(x: Double, y: Double)]
    public var series: Int
    public var dashed: Bool
    public var width: Double
    public var tooltip: String
    /// Drawn in the ink's colour (a frontier, a guide) rather than the series'.
    public var ink: Bool

    public init(points: [(x: Double, y: Double)], series: Int, dashed: Bool = false, width: Double = 2, ink: Bool = false, tooltip: String) {
        self.points = points
        self.series = series
        self.dashed = dashed
        self.width = width
        self.ink = ink
        self.tooltip = tooltip
    }
}

/// A shaded band between a low and a high value at each x.
public struct Band: Sendable, Hashable {
    public var points: [Double]
    public var low: [Double]
    public var high: [Double]
    public var series: Int
    public var tooltip: String

    public init(x: [Double], low: [Double], high: [Double], series: Int, tooltip: String) {
        points = x
        self.low = low
        self.high = high
        self.series = series
        self.tooltip = tooltip
    }
}

/// A short text at a point, such as a speed-up beside a cell.
public struct Label: Sendable, Hashable {
    public var x: Double
    public var y: Double
    public var text: String
    public var tooltip: String?

    public init(x: Double, y: Double, text: String, tooltip: String? = nil) {
        self.x = x
        self.y = y
        self.text = text
        self.tooltip = tooltip
    }
}

/// One entry of a legend.
public struct LegendEntry: Sendable, Hashable {
    public enum Symbol: Sendable, Hashable {
        case marker(filled: Bool)
        case line(dashed: Bool)
        case swatch
    }

    public var label: String
    public var series: Int
    public var symbol: Symbol
    /// Drawn in the ink's colour, as a ``Line`` with `ink` is.
    public var ink: Bool

    public init(_ label: String, series: Int, symbol: Symbol, ink: Bool = false) {
        self.label = label
        self.series = series
        self.symbol = symbol
        self.ink = ink
    }
}

/// An x-y chart: markers, lines, bands and labels over two scales, with axes, grid, title and legend.
public struct Chart: Sendable {
    public var title: String
    /// A line under the title saying how to read the chart.
    public var subtitle: String?
    public var x: Axis
    public var y: Axis
    public var markers: [Marker] = []
    public var lines: [Line] = []
    public var bands: [Band] = []
    public var labels: [Label] = []
    public var legend: [LegendEntry] = []
    public var width: Double = 760
    public var height: Double = 440

    public init(title: String, x: Axis, y: Axis) {
        self.title = title
        self.x = x
        self.y = y
    }

    /// Where the plot sits inside the picture.
    public struct Frame: Sendable, Hashable {
        public var left: Double
        public var top: Double
        public var right: Double
        public var bottom: Double
    }

    /// The plot's frame, leaving room for the title, the axes and the legend's rows.
    public var frame: Frame {
        let legendRows = ChartInk.legendRows(legend.map(\.label), chartWidth: width)
        return Frame(left: 78, top: subtitle == nil ? 42 : 58, right: width - 24, bottom: height - 58 - Double(legendRows) * 20)
    }

    /// The two scales, fitted to every value drawn.
    public func scales() throws(ScaleError) -> (x: Scale, y: Scale) {
        let frame = self.frame
        let xs = markers.map(\.x) + lines.flatMap { $0.points.map(\.x) } + bands.flatMap(\.points) + labels.map(\.x)
        let ys = markers.map(\.y) + lines.flatMap { $0.points.map(\.y) } + bands.flatMap { $0.low + $0.high } + labels.map(\.y)
        return (
            try Scale.fitting(xs, kind: x.kind, range: (frame.left, frame.right), includingZero: x.includingZero, axis: x.title),
            try Scale.fitting(ys, kind: y.kind, range: (frame.bottom, frame.top), includingZero: y.includingZero, axis: y.title)
        )
    }

    /// The chart as a standalone SVG document.
    public func svg() throws(ScaleError) -> String {
        let (xScale, yScale) = try scales()
        let frame = self.frame
        var nodes = ChartInk.preamble(width: width, height: height, title: title)
        if let subtitle { nodes.append(SVGNode("text", [("x", "16"), ("y", "44"), ("class", "ink small")], text: subtitle)) }
        nodes += ChartInk.grid(x: xScale, y: yScale, frame: frame)
        for band in bands {
            let upper = zip(band.points, band.high).map { "\(SVGNode.number(xScale.position($0))),\(SVGNode.number(yScale.position($1)))" }
            let lower = zip(band.points, band.low).reversed().map { "\(SVGNode.number(xScale.position($0))),\(SVGNode.number(yScale.position($1)))" }
            nodes.append(SVGNode("polygon", [
                ("points", (upper + lower).joined(separator: " ")), ("fill", Palette.color(band.series)), ("fill-opacity", "0.18"), ("class", "band"),
            ], children: [SVGNode("title", text: band.tooltip)]))
        }
        for line in lines {
            let path = line.points.enumerated().map { index, point in
                (index == 0 ? "M" : "L") + SVGNode.number(xScale.position(point.x)) + " " + SVGNode.number(yScale.position(point.y))
            }.joined(separator: " ")
            var attributes = [
                ("d", path), ("fill", "none"), ("stroke-width", SVGNode.number(line.width)),
                ("class", line.ink ? "line axis" : "line"), ("data-series", String(line.series)),
            ]
            if !line.ink { attributes.append(("stroke", Palette.color(line.series))) }
            if line.dashed { attributes.append(("stroke-dasharray", "6 4")) }
            nodes.append(SVGNode("path", attributes, children: [SVGNode("title", text: line.tooltip)]))
        }
        // Hollow markers (a model beside a measurement) are drawn larger and first, so a filled one on the same spot
        // shows as a dot inside a ring instead of hiding it.
        for marker in markers.filter({ !$0.filled }) + markers.filter(\.filled) {
            nodes.append(ChartInk.marker(at: (xScale.position(marker.x), yScale.position(marker.y)), series: marker.series,
                                         filled: marker.filled, tooltip: marker.tooltip, size: marker.filled ? 4.5 : 7.5))
        }
        var placed: [(left: Double, right: Double, top: Double, bottom: Double)] = []
        for label in labels {
            // A label near the right edge goes to the left of its point, so it is never cut off; one that would
            // cover a label already placed goes below its point instead of above.
            let x = xScale.position(label.x)
            let textWidth = Legend.textWidth(label.text)
            let nearEdge = x + 7 + textWidth > width - 4
            let left = nearEdge ? x - 7 - textWidth : x + 7
            func box(baseline: Double) -> (left: Double, right: Double, top: Double, bottom: Double) {
                (left, left + textWidth, baseline - 11, baseline + 2)
            }
            func overlaps(_ candidate: (left: Double, right: Double, top: Double, bottom: Double)) -> Bool {
                placed.contains { $0.left < candidate.right && candidate.left < $0.right && $0.top < candidate.bottom && candidate.top < $0.bottom }
            }
            var baseline = yScale.position(label.y) - 7
            if overlaps(box(baseline: baseline)), !overlaps(box(baseline: yScale.position(label.y) + 17)) {
                baseline = yScale.position(label.y) + 17
            }
            placed.append(box(baseline: baseline))
            let text = SVGNode("text", [
                ("x", SVGNode.number(nearEdge ? x - 7 : x + 7)), ("y", SVGNode.number(baseline)),
                ("text-anchor", nearEdge ? "end" : "start"), ("class", "ink small"),
            ], text: label.text)
            nodes.append(label.tooltip.map { tip in SVGNode("g", children: [SVGNode("title", text: tip), text]) } ?? text)
        }
        nodes += ChartInk.axes(x: xScale, y: yScale, frame: frame, xTitle: x.title, yTitle: y.title, height: height)
        nodes += ChartInk.legend(legend, top: frame.bottom + 58, width: width)
        return ChartInk.document(width: width, height: height, title: title, nodes: nodes)
    }
}
