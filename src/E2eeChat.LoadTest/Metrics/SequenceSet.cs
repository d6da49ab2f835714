using System.Numerics;

namespace E2eeChat.LoadTest.Metrics;

/// <summary>
/// A set of sequence numbers (0 and up) as a growable bit set: a stream of a million messages costs
/// 125 KB however they arrive. Not thread-safe; each owner says who may touch it.
/// </summary>
internal sealed class SequenceSet
{
    private ulong[] _words = new ulong[2];

    public long Count { get; private set; }

    /// <summary>The largest number added; -1 when empty.</summary>
    public long Highest { get; private set; } = -1;

    /// <summary>Adds <paramref name="sequence"/>; false when it was in the set already.</summary>
    public bool Add(long sequence)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        var word = (int)(sequence >> 6);
        if (word >= _words.Length)
        {
            Array.Resize(ref _words, Math.Max(word + 1, _words.Length * 2));
        }
        var bit = 1UL << (int)(sequence & 63);
        if ((_words[word] & bit) != 0)
        {
            return false;
        }
        _words[word] |= bit;
        Count++;
        if (sequence > Highest)
        {
            Highest = sequence;
        }
        return true;
    }

    public bool Contains(long sequence)
    {
        var word = sequence >> 6;
        return sequence >= 0 && word < _words.Length && (_words[word] & (1UL << (int)(sequence & 63))) != 0;
    }

    /// <summary>How many numbers of <paramref name="expected"/> this set lacks.</summary>
    public long CountMissing(SequenceSet expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        long missing = 0;
        for (var i = 0; i < expected._words.Length; i++)
        {
            var have = i < _words.Length ? _words[i] : 0;
            missing += BitOperations.PopCount(expected._words[i] & ~have);
        }
        return missing;
    }
}
