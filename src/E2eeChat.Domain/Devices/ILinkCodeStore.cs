namespace E2eeChat.Domain.Devices;

/// <summary>Single-use link codes, stored by hash only.</summary>
public interface ILinkCodeStore
{
    Task AddAsync(byte[] codeHash, Guid userId, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>Deletes the code and returns its account, or null when unknown or expired.</summary>
    Task<Guid?> ConsumeAsync(byte[] codeHash, DateTimeOffset now, CancellationToken cancellationToken);
}
