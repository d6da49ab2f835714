using System.Data.Common;
using E2eeChat.Domain.Sessions;

namespace E2eeChat.Storage.Sql;

internal sealed class SqlSessionStore(SqlDialect dialect) : ISessionStore
{
    public async Task CreateAsync(Session session, byte[] refreshTokenHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await using (var insert = connection.Command("""
            INSERT INTO sessions (session_id, user_id, device_id, created_at, expires_at)
            VALUES (@session, @user, @device, @created, @expires)
            """, transaction))
        {
            await insert.With("session", session.SessionId).With("user", session.UserId).With("device", session.DeviceId)
                .With("created", session.CreatedAt.ToUnixMs()).With("expires", session.ExpiresAt.ToUnixMs())
                .ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await InsertTokenAsync(connection, transaction, refreshTokenHash, session.SessionId, session.ExpiresAt, cancellationToken)
            .ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<RefreshOutcome> RotateAsync(byte[] presentedHash, byte[] nextHash, DateTimeOffset now,
        DateTimeOffset nextExpiry, DateTimeOffset retriedSince, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        // Anyone may call refresh: a token that does not exist costs one indexed read, never a writer's turn.
        await using (var known = connection.Command("SELECT 1 FROM refresh_tokens WHERE token_hash = @hash"))
        {
            if (await known.With("hash", presentedHash).ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
            {
                return new RefreshOutcome(RefreshOutcomeKind.Unknown, null);
            }
        }
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);

        Guid? rotatedSession = null;
        await using (var use = connection.Command("""
            UPDATE refresh_tokens SET used_at = @now
            WHERE token_hash = @hash AND used_at IS NULL AND expires_at > @now
              AND session_id IN (SELECT session_id FROM sessions WHERE revoked_at IS NULL AND expires_at > @now)
            RETURNING session_id
            """, transaction))
        {
            await using var rotated = await use.With("now", now.ToUnixMs()).With("hash", presentedHash)
                .ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (await rotated.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rotatedSession = rotated.GetGuid(0);
            }
        }

        if (rotatedSession is { } sessionId)
        {
            await InsertTokenAsync(connection, transaction, nextHash, sessionId, nextExpiry, cancellationToken).ConfigureAwait(false);
            await using (var extend = connection.Command(
                "UPDATE sessions SET expires_at = @expires WHERE session_id = @session", transaction))
            {
                await extend.With("expires", nextExpiry.ToUnixMs()).With("session", sessionId)
                    .ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            var session = await ReadSessionAsync(connection, transaction, sessionId, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return new RefreshOutcome(RefreshOutcomeKind.Rotated, session);
        }

        // Not current. A rotation racing this one has committed by now (its row lock held the UPDATE above), so a
        // retry of it sees the token used, its successor stored and the session live.
        await using var find = connection.Command("""
            SELECT s.session_id, s.user_id, s.device_id, s.created_at, s.expires_at, t.used_at,
                   CASE WHEN s.revoked_at IS NULL AND s.expires_at > @now
                         AND EXISTS (SELECT 1 FROM refresh_tokens n WHERE n.token_hash = @next AND n.session_id = s.session_id)
                        THEN 1 ELSE 0 END
            FROM refresh_tokens t JOIN sessions s ON s.session_id = t.session_id
            WHERE t.token_hash = @hash
            """, transaction);
        await using var reader = await find.With("hash", presentedHash).With("next", nextHash).With("now", now.ToUnixMs())
            .ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false) || reader.IsDBNull(5))
        {
            return new RefreshOutcome(RefreshOutcomeKind.Unknown, null);
        }
        var retried = reader.GetInt64(5) >= retriedSince.ToUnixMs() && reader.GetInt32(6) == 1;
        return new RefreshOutcome(retried ? RefreshOutcomeKind.Retried : RefreshOutcomeKind.Reused, ReadSession(reader));
    }

    public async Task<bool> IsActiveAsync(Guid sessionId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command(
            "SELECT 1 FROM sessions WHERE session_id = @session AND revoked_at IS NULL AND expires_at > @now");
        return await command.With("session", sessionId).With("now", now.ToUnixMs())
            .ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }

    public async Task<IReadOnlySet<Guid>> ActiveAmongAsync(IReadOnlyList<Guid> sessionIds, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sessionIds);
        var active = new HashSet<Guid>();
        if (sessionIds.Count == 0)
        {
            return active;
        }
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT session_id FROM sessions
            WHERE {dialect.AnyOf(command, "session_id", "sessions", sessionIds)} AND revoked_at IS NULL AND expires_at > @now
            """;
        command.With("now", now.ToUnixMs());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            active.Add(reader.GetGuid(0));
        }
        return active;
    }

    public async Task RevokeAsync(Guid sessionId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command(
            "UPDATE sessions SET revoked_at = @now WHERE session_id = @session AND revoked_at IS NULL", transaction);
        await command.With("now", now.ToUnixMs()).With("session", sessionId)
            .ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> RevokeDeviceAsync(Guid userId, int deviceId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command(
            "UPDATE sessions SET revoked_at = @now WHERE user_id = @user AND device_id = @device AND revoked_at IS NULL", transaction);
        var revoked = await command.With("now", now.ToUnixMs()).With("user", userId).With("device", deviceId)
            .ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return revoked;
    }

    private static async Task InsertTokenAsync(DbConnection connection, DbTransaction transaction, byte[] hash, Guid sessionId,
        DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(
            "INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES (@hash, @session, @expires)", transaction);
        await command.With("hash", hash).With("session", sessionId).With("expires", expiresAt.ToUnixMs())
            .ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<Session> ReadSessionAsync(DbConnection connection, DbTransaction transaction, Guid sessionId,
        CancellationToken cancellationToken)
    {
        await using var command = connection.Command(
            "SELECT session_id, user_id, device_id, created_at, expires_at FROM sessions WHERE session_id = @session", transaction);
        await using var reader = await command.With("session", sessionId).ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return ReadSession(reader);
    }

    private static Session ReadSession(DbDataReader reader) =>
        new(reader.GetGuid(0), reader.GetGuid(1), reader.GetInt32(2), reader.GetTime(3), reader.GetTime(4));
}
