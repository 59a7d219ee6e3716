import Testing

@testable import Charts

/// Text written into SVG, HTML or JUnit XML stays well-formed XML whatever it holds.
struct SVGEscapeTests {
    @Test func markupIsEscapedAndCharactersXMLCannotCarryAreDropped() {
        #expect(SVGNode.escape(#"a<b & "c" 'd'>"#) == "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;")
        #expect(SVGNode.escape("tab\tline\ncr\r") == "tab\tline\ncr\r", "the three control characters XML allows stay")
        #expect(SVGNode.escape("bell\u{07}nul\u{00}esc\u{1B}") == "bellnulesc")
        #expect(SVGNode.escape("é 文 🙂") == "é 文 🙂")
    }
}
