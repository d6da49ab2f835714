using System.Data.Common;
using E2eeChat.Domain.Push;

namespace E2eeChat.Storage.Sql;

internal sealed class SqlPushRegistrationStore(SqlDialect dialect) : IPushRegistrationStore
{
    private const string Columns = "user_id, device_id, kind, endpoint, p256dh, auth, app_id, push_key";

    public async Task SetAsync(PushRegistration registration, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        // The device's row is the foreign key: a device removed meanwhile makes this insert fail, never leaves an orphan.
        await using var command = connection.Command($"""
            INSERT INTO push_registrations ({Columns}, wake_pending, created_at)
            VALUES (@user, @device, @kind, @endpoint, @p256dh, @auth, @appId, @pushKey, FALSE, @now)
            ON CONFLICT (user_id, device_id) DO UPDATE SET kind = excluded.kind, endpoint = excluded.endpoint,
                p256dh = excluded.p256dh, auth = excluded.auth, app_id = excluded.app_id, push_key = excluded.push_key,
                wake_pending = FALSE, created_at = excluded.created_at
            """, transaction);
        await command.With("user", registration.UserId).With("device", registration.DeviceId).With("kind", (int)registration.Kind)
            .With("endpoint", registration.Endpoint).With("p256dh", registration.P256dh).With("auth", registration.Auth)
            .With("appId", registration.AppId).With("pushKey", registration.PushKey).With("now", now.ToUnixMs())
            .ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<PushRegistration?> FindAsync(Guid userId, int deviceId, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command(
            $"SELECT {Columns} FROM push_registrations WHERE user_id = @user AND device_id = @device");
        return await ReadOneAsync(command.With("user", userId).With("device", deviceId), cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> RemoveAsync(Guid userId, int deviceId, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command(
            "DELETE FROM push_registrations WHERE user_id = @user AND device_id = @device", transaction);
        var removed = await command.With("user", userId).With("device", deviceId)
            .ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return removed > 0;
    }

    public async Task<bool> RemoveIfUnchangedAsync(PushRegistration registration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command("""
            DELETE FROM push_registrations
            WHERE user_id = @user AND device_id = @device AND kind = @kind AND endpoint = @endpoint
            """, transaction);
        var removed = await command.With("user", registration.UserId).With("device", registration.DeviceId)
            .With("kind", (int)registration.Kind).With("endpoint", registration.Endpoint)
            .ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return removed > 0;
    }

    public async Task<PushRegistration?> ClaimWakeUpAsync(Guid userId, int deviceId, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        // Most offline devices have no registration, or a wake-up pending already: a read says so without a writer's turn.
        if (!await HasRowAsync(connection, "wake_pending = FALSE", userId, deviceId, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        // One statement tests and sets the flag: of any number of senders, on any instance, one gets the row.
        await using var command = connection.Command($"""
            UPDATE push_registrations SET wake_pending = TRUE
            WHERE user_id = @user AND device_id = @device AND wake_pending = FALSE
            RETURNING {Columns}
            """, transaction);
        var claimed = await ReadOneAsync(command.With("user", userId).With("device", deviceId), cancellationToken)
            .ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return claimed;
    }

    public async Task ClearWakeUpAsync(Guid userId, int deviceId, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        // Every hub connect and disconnect comes here: a read decides, so a device with nothing pending costs no write.
        if (!await HasRowAsync(connection, "wake_pending = TRUE", userId, deviceId, cancellationToken).ConfigureAwait(false))
        {
            return;
        }
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command(
            "UPDATE push_registrations SET wake_pending = FALSE WHERE user_id = @user AND device_id = @device", transaction);
        await command.With("user", userId).With("device", deviceId).ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<bool> HasRowAsync(DbConnection connection, string condition, Guid userId, int deviceId,
        CancellationToken cancellationToken)
    {
        await using var command = connection.Command(
            $"SELECT 1 FROM push_registrations WHERE user_id = @user AND device_id = @device AND {condition}");
        return await command.With("user", userId).With("device", deviceId).ExecuteScalarAsync(cancellationToken).ConfigureAwait(false)
            is not null;
    }

    private static async Task<PushRegistration?> ReadOneAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }
        return new PushRegistration(reader.GetGuid(0), reader.GetInt32(1), (PushKind)reader.GetInt32(2), reader.GetString(3),
            reader.IsDBNull(4) ? null : reader.GetBytes(4), reader.IsDBNull(5) ? null : reader.GetBytes(5),
            reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7));
    }
}
