/// Horizontal stacked bars: one bar per category, one segment per key, a note at each bar's end.
public struct BarChart: Sendable {
    public struct Bar: Sendable, Hashable {
        public var label: String
        /// The value of each key, in the order of ``BarChart/keys``.
        public var values: [Double]
        public var note: String

        public init(label: String, values: [Double], note: String = "") {
            self.label = label
            self.values = values
            self.note = note
        }
    }

    public var title: String
    public var valueTitle: String
    public var keys: [String]
    public var bars: [Bar]
    /// The colour index of each key.
    public var keySeries: [Int]
    public var width: Double = 760

    public init(title: String, valueTitle: String, keys: [String], keySeries: [Int]? = nil, bars: [Bar]) {
        self.title = title
        self.valueTitle = valueTitle
        self.keys = keys
        self.keySeries = keySeries ?? Array(keys.indices)
        self.bars = bars
    }

    static let barHeight = 18.0
    static let gap = 8.0

    public var height: Double {
        let legendRows = max(1, ChartInk.legendRows(keys, chartWidth: width))
        return 48 + Double(bars.count) * (Self.barHeight + Self.gap) + 52 + Double(legendRows) * 20
    }

    /// The chart's frame: labels on the left, room for notes on the right.
    public var frame: Chart.Frame {
        let labelWidth = min(300, (bars.map { Legend.textWidth($0.label) }.max() ?? 40) * 0.95 + 16)
        let noteWidth = min(160, (bars.map { Legend.textWidth($0.note) }.max() ?? 0) * 0.95 + 12)
        return Chart.Frame(left: labelWidth, top: 44, right: width - noteWidth - 12, bottom: 44 + Double(bars.count) * (Self.barHeight + Self.gap))
    }

    public func scale() throws(ScaleError) -> Scale {
        let frame = self.frame
        let totals = bars.map { $0.values.reduce(0, +) }
        guard !totals.isEmpty else { throw ScaleError("\(valueTitle): no bars to draw") }
        return try Scale.fitting(totals, kind: .linear, range: (frame.left, frame.right), includingZero: true, axis: valueTitle)
    }

    public func svg() throws(ScaleError) -> String {
        let scale = try scale()
        let frame = self.frame
        var nodes = ChartInk.preamble(width: width, height: height, title: title)
        nodes += ChartInk.verticalGrid(scale, frame: frame)
        for (row, bar) in bars.enumerated() {
            let top = frame.top + Double(row) * (Self.barHeight + Self.gap) + Self.gap / 2
            var start = 0.0
            var segments: [SVGNode] = []
            for (index, value) in bar.values.enumerated() where value > 0 {
                let x0 = scale.position(start)
                let x1 = scale.position(start + value)
                segments.append(SVGNode("rect", [
                    ("x", SVGNode.number(x0)), ("y", SVGNode.number(top)), ("width", SVGNode.number(max(x1 - x0, 0.5))),
                    ("height", SVGNode.number(Self.barHeight)), ("fill", Palette.color(keySeries[index])), ("class", "segment"),
                    ("data-key", keys[index]), ("data-value", SVGNode.number(value)),
                ], children: [SVGNode("title", text: "\(bar.label): \(keys[index]) \(Ticks.label(value))")]))
                start += value
            }
            nodes.append(SVGNode("text", [("x", SVGNode.number(frame.left - 8)), ("y", SVGNode.number(top + 13)), ("text-anchor", "end"),
                                          ("class", "ink small bar-label")], text: bar.label))
            nodes += segments
            if !bar.note.isEmpty {
                nodes.append(SVGNode("text", [("x", SVGNode.number(scale.position(start) + 6)), ("y", SVGNode.number(top + 13)), ("class", "ink small")],
                                     text: bar.note))
            }
        }
        nodes.append(ChartInk.leftAxis(frame))
        nodes += ChartInk.xLabels(scale, title: valueTitle, frame: frame)
        nodes += ChartInk.legend(keys.enumerated().map { LegendEntry($1, series: keySeries[$0], symbol: .swatch) }, top: frame.bottom + 62, width: width)
        return ChartInk.document(width: width, height: height, title: title, nodes: nodes)
    }
}
