/// Values many records share, each stored once and named by its index.
struct InternedValues<Value: Hashable & Sendable>: Sendable {
    private(set) var values: [Value] = []
    private var indexes: [Value: Int] = [:]

    subscript(index: Int) -> Value { values[index] }

    /// The index of `value`, added if new.
    mutating func index(of value: Value) -> Int {
        if let index = indexes[value] { return index }
        values.append(value)
        indexes[value] = values.count - 1
        return values.count - 1
    }
}
