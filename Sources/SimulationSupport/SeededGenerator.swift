/// A deterministic random number generator (xoshiro256**), never the system's.
///
/// Every random draw of the simulation comes from a generator seeded from the run's seed. Draws that belong to one
/// numbered thing (the n-th review, the n-th delivery) use ``init(seed:stream:index:)``, so that each draw depends
/// only on the seed, the stream's name and the number, not on the order in which concurrent work asked for it.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// A generator whose whole sequence is fixed by `seed`.
    public init(seed: UInt64) {
        var mixer = SplitMix64(state: seed)
        s0 = mixer.next()
        s1 = mixer.next()
        s2 = mixer.next()
        s3 = mixer.next()
    }

    /// A generator for the `index`-th member of a named stream of draws.
    /// - Parameters:
    ///   - seed: The run's seed.
    ///   - stream: A name that separates unrelated draws (for example `"review"` and `"fault"`), so turning one
    ///     feature on never changes the draws of another.
    ///   - index: The number of the thing being drawn for.
    public init(seed: UInt64, stream: String, index: UInt64) {
        var mixer = SplitMix64(state: seed ^ Self.fnv1a(stream))
        let base = mixer.next()
        var indexMixer = SplitMix64(state: base &+ index &* 0x9E37_79B9_7F4A_7C15)
        self.init(seed: indexMixer.next())
    }

    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, by: 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, by: 45)
        return result
    }

    /// A uniform draw in `[0, 1)`.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    private func rotateLeft(_ value: UInt64, by amount: UInt64) -> UInt64 {
        (value << amount) | (value >> (64 - amount))
    }

    /// FNV-1a: a stable hash of a stream name (Swift's `Hasher` is seeded per process).
    private static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}

/// SplitMix64, used to expand a seed into generator state.
private struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
