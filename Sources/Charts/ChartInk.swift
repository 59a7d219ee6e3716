/// The parts every chart draws the same way: the document and its style, grid, axes, markers and legend.
enum ChartInk {
    /// Light ink on dark paper when the reader prefers dark, dark on light otherwise and in print.
    static let style = """
        .paper{fill:#ffffff}.ink{fill:#1f1f1f;stroke:none}.axis{stroke:#1f1f1f}.grid{stroke:#e2e2e2}\
        .hollow{fill:#ffffff}text{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;font-size:12px}\
        .title{font-size:15px;font-weight:600}.small{font-size:11px}\
        @media (prefers-color-scheme:dark){.paper{fill:#17191c}.ink{fill:#e8e8e8}.axis{stroke:#e8e8e8}\
        .grid{stroke:#3a3d42}.hollow{fill:#17191c}}@media print{.paper{fill:#ffffff}.ink{fill:#000000}\
        .axis{stroke:#000000}.grid{stroke:#dddddd}.hollow{fill:#ffffff}}
        """

    static func document(width: Double, height: Double, title: String, nodes: [SVGNode]) -> String {
        SVGNode("svg", [
            ("xmlns", "http://www.w3.org/2000/svg"), ("viewBox", "0 0 \(SVGNode.number(width)) \(SVGNode.number(height))"),
            ("width", SVGNode.number(width)), ("height", SVGNode.number(height)), ("role", "img"), ("aria-label", title),
        ], children: nodes).markup
    }

    static func preamble(width: Double, height: Double, title: String) -> [SVGNode] {
        [
            SVGNode("title", text: title),
            SVGNode("style", text: style),
            SVGNode("rect", [("x", "0"), ("y", "0"), ("width", SVGNode.number(width)), ("height", SVGNode.number(height)), ("class", "paper")]),
            SVGNode("text", [("x", "16"), ("y", "26"), ("class", "ink title")], text: title),
        ]
    }

    /// A straight line between two points, drawn with a style class (`grid`, `axis`).
    static func segment(from start: (x: Double, y: Double), to end: (x: Double, y: Double), class style: String) -> SVGNode {
        SVGNode("line", [
            ("x1", SVGNode.number(start.x)), ("x2", SVGNode.number(end.x)), ("y1", SVGNode.number(start.y)), ("y2", SVGNode.number(end.y)),
            ("class", style),
        ])
    }

    /// A vertical grid line at each tick of `x`.
    static func verticalGrid(_ x: Scale, frame: Chart.Frame) -> [SVGNode] {
        x.ticks.map { tick in segment(from: (x.position(tick), frame.top), to: (x.position(tick), frame.bottom), class: "grid") }
    }

    static func grid(x: Scale, y: Scale, frame: Chart.Frame) -> [SVGNode] {
        verticalGrid(x, frame: frame) + y.ticks.map { tick in
            segment(from: (frame.left, y.position(tick)), to: (frame.right, y.position(tick)), class: "grid")
        }
    }

    /// The tick labels under the plot, and the x axis's title under them.
    static func xLabels(_ x: Scale, title: String, frame: Chart.Frame) -> [SVGNode] {
        x.ticks.map { tick in
            SVGNode("text", [("x", SVGNode.number(x.position(tick))), ("y", SVGNode.number(frame.bottom + 16)), ("text-anchor", "middle"),
                             ("class", "ink small tick-x")], text: Ticks.label(tick))
        } + [
            SVGNode("text", [("x", SVGNode.number((frame.left + frame.right) / 2)), ("y", SVGNode.number(frame.bottom + 36)),
                             ("text-anchor", "middle"), ("class", "ink")], text: title),
        ]
    }

    /// The line along the plot's left edge.
    static func leftAxis(_ frame: Chart.Frame) -> SVGNode {
        segment(from: (frame.left, frame.top), to: (frame.left, frame.bottom), class: "axis")
    }

    static func axes(x: Scale, y: Scale, frame: Chart.Frame, xTitle: String, yTitle: String, height: Double) -> [SVGNode] {
        var nodes = [segment(from: (frame.left, frame.bottom), to: (frame.right, frame.bottom), class: "axis"), leftAxis(frame)]
        for tick in y.ticks {
            nodes.append(SVGNode("text", [("x", SVGNode.number(frame.left - 6)), ("y", SVGNode.number(y.position(tick) + 4)), ("text-anchor", "end"),
                                          ("class", "ink small tick-y")], text: Ticks.label(tick)))
        }
        nodes += xLabels(x, title: xTitle, frame: frame)
        let middle = SVGNode.number((frame.top + frame.bottom) / 2)
        nodes.append(SVGNode("text", [("x", "18"), ("y", middle), ("text-anchor", "middle"), ("transform", "rotate(-90 18 \(middle))"),
                                      ("class", "ink")], text: yTitle))
        return nodes
    }

    static func marker(at point: (x: Double, y: Double), series: Int, filled: Bool, tooltip: String, size: Double = 5) -> SVGNode {
        let color = Palette.color(series)
        var attributes: [(String, String)] = [("stroke", color), ("stroke-width", "2"), ("class", filled ? "marker" : "marker hollow"),
                                              ("data-series", String(series))]
        if filled { attributes.append(("fill", color)) }
        let (x, y) = point
        let centre = [("data-cx", SVGNode.number(x)), ("data-cy", SVGNode.number(y))]
        func polygon(_ corners: [(Double, Double)]) -> SVGNode {
            SVGNode("polygon", [("points", corners.map { "\(SVGNode.number($0.0)),\(SVGNode.number($0.1))" }.joined(separator: " "))] + centre + attributes)
        }
        let shape: SVGNode
        switch Palette.shape(series) {
        case .circle:
            shape = SVGNode("circle", [("cx", SVGNode.number(x)), ("cy", SVGNode.number(y)), ("r", SVGNode.number(size))] + attributes)
        case .square:
            shape = SVGNode("rect", [("x", SVGNode.number(x - size)), ("y", SVGNode.number(y - size)), ("width", SVGNode.number(2 * size)),
                                     ("height", SVGNode.number(2 * size))] + centre + attributes)
        case .triangle:
            shape = polygon([(x, y - size * 1.2), (x + size * 1.1, y + size * 0.8), (x - size * 1.1, y + size * 0.8)])
        case .diamond:
            shape = polygon([(x, y - size * 1.3), (x + size * 1.3, y), (x, y + size * 1.3), (x - size * 1.3, y)])
        }
        var node = shape
        node.children = [SVGNode("title", text: tooltip)]
        return node
    }

    /// Where a chart `width` wide puts its legend's entries.
    static func legendLayout(_ labels: [String], chartWidth width: Double) -> [(x: Double, row: Int)] {
        Legend.layout(labels, width: width - 100)
    }

    /// The rows a chart `width` wide gives its legend; none for no entries.
    static func legendRows(_ labels: [String], chartWidth width: Double) -> Int {
        legendLayout(labels, chartWidth: width).last.map { $0.row + 1 } ?? 0
    }

    static func legend(_ entries: [LegendEntry], top: Double, width: Double) -> [SVGNode] {
        let placed = legendLayout(entries.map(\.label), chartWidth: width)
        return zip(entries, placed).map { entry, place in
            let x = 24 + place.x
            let y = top + Double(place.row) * 20
            let color = Palette.color(entry.series)
            let symbol: SVGNode
            switch entry.symbol {
            case .marker(let filled):
                symbol = marker(at: (x + 10, y - 4), series: entry.series, filled: filled, tooltip: entry.label, size: 4.5)
            case .line(let dashed):
                var attributes = [("x1", SVGNode.number(x)), ("x2", SVGNode.number(x + 20)), ("y1", SVGNode.number(y - 4)),
                                  ("y2", SVGNode.number(y - 4)), ("stroke-width", "2.5")]
                attributes.append(entry.ink ? ("class", "axis") : ("stroke", color))
                if dashed { attributes.append(("stroke-dasharray", "5 3")) }
                symbol = SVGNode("line", attributes)
            case .swatch:
                symbol = SVGNode("rect", [("x", SVGNode.number(x + 3)), ("y", SVGNode.number(y - 11)), ("width", "14"), ("height", "12"), ("fill", color)])
            }
            return SVGNode("g", [("class", "legend-entry")], children: [
                symbol, SVGNode("text", [("x", SVGNode.number(x + 26)), ("y", SVGNode.number(y)), ("class", "ink")], text: entry.label),
            ])
        }
    }
}
