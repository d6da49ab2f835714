using E2eeChat.Storage.Sql;

namespace E2eeChat.Storage.Schema;

/// <summary>One schema step, written once and rendered for each engine's types.</summary>
internal sealed record Migration(int Version, string Name, Func<SqlDialect, string> Sql);
