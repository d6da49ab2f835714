using E2eeChat.Domain.Common;

namespace E2eeChat.Domain.Keys;

/// <summary>Bound from the <c>Keys</c> section.</summary>
public sealed class PrekeyOptions : IValidatedOptions
{
    public const string SectionName = "Keys";

    /// <summary>
    /// One-time prekeys of each kind a device may hold. An upload replaces the kinds it names, so
    /// this bounds the size of one list; it only bites when set below <see cref="PrekeyRules.MaxKeysPerList"/>.
    /// </summary>
    public int MaxStoredOneTimeKeys { get; set; } = 1000;

    public void Validate()
    {
        if (MaxStoredOneTimeKeys < 1)
        {
            throw new InvalidOperationException($"{SectionName}:MaxStoredOneTimeKeys must be at least 1.");
        }
    }
}
