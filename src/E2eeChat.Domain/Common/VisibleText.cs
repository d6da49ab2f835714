using System.Globalization;
using System.Text;

namespace E2eeChat.Domain.Common;

/// <summary>
/// Names other people read hold only characters that show: letters, marks, digits, punctuation, symbols and
/// spaces. Refused: format characters (Unicode Cf: bidi overrides and isolates such as U+202E, zero-width
/// U+200B/U+200D, U+FEFF, soft hyphen, tags), controls, line and paragraph separators, private-use and
/// unassigned code points, lone surrogates, and the fillers that are letters yet render as nothing (U+3164…).
/// A consequence: emoji joined with U+200D (👨‍👩‍👧) are refused; single emoji are fine.
/// </summary>
public static class VisibleText
{
    public static bool IsVisible(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var rest = text.AsSpan();
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out var rune, out var consumed) != System.Buffers.OperationStatus.Done
                || !IsVisible(rune))
            {
                return false;
            }
            rest = rest[consumed..];
        }
        return true;
    }

    private static bool IsVisible(Rune rune) =>
        Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => false,
            _ => !IsBlankFiller(rune.Value),
        };

    /// <summary>Default-ignorable code points outside Cf: Hangul fillers, the combining grapheme joiner, Khmer inherent vowels.</summary>
    private static bool IsBlankFiller(int value) => value is 0x115F or 0x1160 or 0x3164 or 0xFFA0 or 0x034F or 0x17B4 or 0x17B5;
}
