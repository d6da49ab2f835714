using System.Data.Common;
using E2eeChat.Domain.Devices;

namespace E2eeChat.Storage.Sql;

internal sealed class SqlDeviceStore(SqlDialect dialect) : IDeviceStore
{
    private const string Columns = "user_id, device_id, name, registration_id, created_at, last_seen_at";

    public async Task<IReadOnlyList<Device>> ListAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ListAsync(connection, null, userId, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Device?> FindAsync(Guid userId, int deviceId, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command($"SELECT {Columns} FROM devices WHERE user_id = @user AND device_id = @device");
        await using var reader = await command.With("user", userId).With("device", deviceId)
            .ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
    }

    public async Task<Device?> TryAddAsync(Guid userId, string name, int registrationId, DateTimeOffset now, int maxDevices,
        CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        // Locking the account row serialises concurrent links, so the cap cannot be overshot.
        await using (var lockAccount = connection.Command($"SELECT user_id FROM accounts WHERE user_id = @user{dialect.ForUpdate}", transaction))
        {
            if (await lockAccount.With("user", userId).ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
            {
                return null;
            }
        }
        var existing = await ListAsync(connection, transaction, userId, cancellationToken).ConfigureAwait(false);
        if (existing.Count >= maxDevices)
        {
            return null;
        }
        var deviceId = 1;
        foreach (var device in existing)
        {
            if (device.DeviceId != deviceId)
            {
                break;
            }
            deviceId++;
        }
        var added = new Device(userId, deviceId, name, registrationId, now, now);
        await InsertAsync(connection, transaction, added, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return added;
    }

    public async Task<bool> RemoveAsync(Guid userId, int deviceId, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command("DELETE FROM devices WHERE user_id = @user AND device_id = @device", transaction);
        var removed = await command.With("user", userId).With("device", deviceId)
            .ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (removed)
        {
            // The device's mailbox went with it (ON DELETE CASCADE).
            await dialect.ScrubDeletedContentAsync(connection, cancellationToken).ConfigureAwait(false);
        }
        return removed;
    }

    public async Task TouchAsync(Guid userId, int deviceId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command(
            "UPDATE devices SET last_seen_at = @now WHERE user_id = @user AND device_id = @device AND last_seen_at < @now", transaction);
        await command.With("now", now.ToUnixMs()).With("user", userId).With("device", deviceId)
            .ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    internal static async Task InsertAsync(DbConnection connection, DbTransaction transaction, Device device,
        CancellationToken cancellationToken)
    {
        await using var command = connection.Command(
            $"INSERT INTO devices ({Columns}) VALUES (@user, @device, @name, @registration, @created, @seen)", transaction);
        await command.With("user", device.UserId).With("device", device.DeviceId).With("name", device.Name)
            .With("registration", device.RegistrationId).With("created", device.CreatedAt.ToUnixMs())
            .With("seen", device.LastSeenAt.ToUnixMs())
            .ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<Device>> ListAsync(DbConnection connection, DbTransaction? transaction,
        Guid userId, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(
            $"SELECT {Columns} FROM devices WHERE user_id = @user ORDER BY device_id", transaction);
        await using var reader = await command.With("user", userId).ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var devices = new List<Device>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            devices.Add(Read(reader));
        }
        return devices;
    }

    private static Device Read(DbDataReader reader) =>
        new(reader.GetGuid(0), reader.GetInt32(1), reader.GetString(2), reader.GetInt32(3), reader.GetTime(4), reader.GetTime(5));
}
