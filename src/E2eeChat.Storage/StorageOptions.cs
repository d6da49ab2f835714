using E2eeChat.Domain.Common;

namespace E2eeChat.Storage;

public enum StorageProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Bound from the <c>Storage</c> configuration section.</summary>
public sealed class StorageOptions : IValidatedOptions
{
    public const string SectionName = "Storage";

    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>Npgsql connection string; required when <see cref="Provider"/> is Postgres.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The SQLite database file for the embedded default.</summary>
    public string SqlitePath { get; set; } = Path.Combine("data", "e2eechat.db");

    /// <summary>Where the embedded default keeps attachment bytes, one owner-only file each; cluster mode keeps them in PostgreSQL.</summary>
    public string AttachmentsPath { get; set; } = Path.Combine("data", "attachments");

    /// <summary>How concurrent sends and acks share transactions.</summary>
    public GroupCommitOptions GroupCommit { get; set; } = new();

    public void Validate()
    {
        if (!Enum.IsDefined(Provider))
        {
            throw new InvalidOperationException($"Storage:Provider must be Sqlite or Postgres, not {Provider}.");
        }
        if (Provider == StorageProvider.Postgres && string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new InvalidOperationException("Storage:ConnectionString is required when Storage:Provider is Postgres.");
        }
        if (string.IsNullOrWhiteSpace(SqlitePath) || string.IsNullOrWhiteSpace(AttachmentsPath))
        {
            throw new InvalidOperationException("Storage:SqlitePath and Storage:AttachmentsPath must name a path.");
        }
        GroupCommit.Validate();
    }
}
