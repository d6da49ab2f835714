namespace E2eeChat.Domain.Common;

/// <summary>
/// Every options class: bound from its configuration section and validated once, at start-up, so that a bad
/// setting stops the server with a message naming it instead of failing the first request that reads it.
/// </summary>
public interface IValidatedOptions
{
    /// <summary>Throws <see cref="InvalidOperationException"/> naming the setting when a value cannot work.</summary>
    void Validate();
}
