using System.Data.Common;
using System.Globalization;
using System.Text;
using E2eeChat.Domain.Keys;

namespace E2eeChat.Storage.Sql;

internal sealed class SqlPrekeyStore(SqlDialect dialect) : IPrekeyStore
{
    // The kind column of both key tables.
    private const int Ec = 0;
    private const int Kyber = 1;

    private const string BundleSql = """
        SELECT d.device_id, d.registration_id, k.kind, k.key_id, k.public_key, k.signature
        FROM devices d LEFT JOIN signed_prekeys k ON k.user_id = d.user_id AND k.device_id = d.device_id
        WHERE d.user_id = @user
        """;

    private const string OrderByDevice = " ORDER BY d.device_id";

    private static readonly string[] DeviceParameters = ["d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7"];

    // One cached batch per device count: claims cost one round trip whether one device is asked for or all.
    private readonly string?[] _claimBatches = new string?[8];

    public async Task<bool> StoreAsync(Guid userId, int deviceId, PrekeyUpload upload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        // Locking the device row serialises uploads of one device, so two replacements cannot interleave.
        await using (var lockDevice = connection.Command(
            $"SELECT 1 FROM devices WHERE user_id = @user AND device_id = @device{dialect.ForUpdate}", transaction))
        {
            if (await lockDevice.With("user", userId).With("device", deviceId)
                    .ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
            {
                return false;
            }
        }
        var device = new DeviceKey(connection, transaction, userId, deviceId);
        if (upload.SignedPreKey is { } signed)
        {
            await device.ReplaceSignedAsync(Ec, signed, cancellationToken).ConfigureAwait(false);
        }
        if (upload.PqLastResortPreKey is { } lastResort)
        {
            await device.ReplaceSignedAsync(Kyber, lastResort, cancellationToken).ConfigureAwait(false);
        }
        if (upload.PreKeys is { } preKeys)
        {
            await device.ReplaceOneTimeAsync(Ec, preKeys, cancellationToken).ConfigureAwait(false);
        }
        if (upload.PqPreKeys is { } pqPreKeys)
        {
            await device.ReplaceOneTimeAsync(Kyber, pqPreKeys, cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<IReadOnlyList<DeviceBundle>?> ClaimAsync(Guid userId, int? deviceId, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);

        var found = false;
        var complete = new List<SignedKeys>(deviceId is null ? 4 : 1);
        await using (var read = connection.Command(
            deviceId is null ? BundleSql + OrderByDevice : BundleSql + " AND d.device_id = @device" + OrderByDevice, transaction))
        {
            read.With("user", userId);
            if (deviceId is { } id)
            {
                read.With("device", id);
            }
            await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var current = new SignedKeys(-1, 0);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                found = true;
                var rowDevice = reader.GetInt32(0);
                if (rowDevice != current.DeviceId)
                {
                    AddIfComplete(complete, current);
                    current = new SignedKeys(rowDevice, reader.GetInt32(1));
                }
                if (!reader.IsDBNull(2))
                {
                    var key = ReadKey(reader, 3);
                    if (reader.GetInt32(2) == Ec)
                    {
                        current.SignedPreKey = key;
                    }
                    else
                    {
                        current.LastResort = key;
                    }
                }
            }
            AddIfComplete(complete, current);
        }
        if (!found)
        {
            return null;
        }

        var bundles = new DeviceBundle[complete.Count];
        if (bundles.Length > 0)
        {
            await using var claim = connection.Command(ClaimBatch(bundles.Length), transaction);
            claim.With("user", userId);
            for (var i = 0; i < bundles.Length; i++)
            {
                claim.With(DeviceParameter(i), complete[i].DeviceId);
            }
            await using var reader = await claim.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < bundles.Length; i++)
            {
                var preKey = await ReadClaimAsync(reader, cancellationToken).ConfigureAwait(false);
                var pqPreKey = await ReadClaimAsync(reader, cancellationToken).ConfigureAwait(false);
                var keys = complete[i];
                bundles[i] = new DeviceBundle(keys.DeviceId, keys.RegistrationId, keys.SignedPreKey!, preKey,
                    pqPreKey ?? keys.LastResort!);
            }
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return bundles;
    }

    public async Task<PrekeyCounts> CountAsync(Guid userId, int deviceId, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command("""
            SELECT kind, COUNT(*) FROM one_time_prekeys WHERE user_id = @user AND device_id = @device GROUP BY kind
            """);
        await using var reader = await command.With("user", userId).With("device", deviceId)
            .ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        int ec = 0, kyber = 0;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var count = Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture);
            if (reader.GetInt32(0) == Ec)
            {
                ec = count;
            }
            else
            {
                kyber = count;
            }
        }
        return new PrekeyCounts(ec, kyber);
    }

    public async Task<RepeatedUseKeys> GetRepeatedUseKeysAsync(Guid userId, int deviceId, CancellationToken cancellationToken)
    {
        await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command("""
            SELECT kind, key_id, public_key, signature FROM signed_prekeys WHERE user_id = @user AND device_id = @device
            """);
        await using var reader = await command.With("user", userId).With("device", deviceId)
            .ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        Prekey? signed = null, lastResort = null;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var key = ReadKey(reader, 1);
            if (reader.GetInt32(0) == Ec)
            {
                signed = key;
            }
            else
            {
                lastResort = key;
            }
        }
        return new RepeatedUseKeys(signed, lastResort);
    }

    /// <summary>
    /// For each device, in order: delete and return its lowest one-time EC key, then its lowest Kyber key.
    /// On PostgreSQL each subquery locks the row it picks and skips rows that concurrent claims hold;
    /// on SQLite the write transaction runs alone.
    /// </summary>
    private string ClaimBatch(int devices)
    {
        if (devices < _claimBatches.Length && _claimBatches[devices] is { } cached)
        {
            return cached;
        }
        var sql = new StringBuilder();
        for (var i = 0; i < devices; i++)
        {
            foreach (var kind in (ReadOnlySpan<int>)[Ec, Kyber])
            {
                sql.Append(CultureInfo.InvariantCulture, $"""
                    DELETE FROM one_time_prekeys
                    WHERE user_id = @user AND device_id = @{DeviceParameter(i)} AND kind = {kind} AND key_id = (
                        SELECT key_id FROM one_time_prekeys
                        WHERE user_id = @user AND device_id = @{DeviceParameter(i)} AND kind = {kind}
                        ORDER BY key_id LIMIT 1{dialect.SkipLocked})
                    RETURNING key_id, public_key, signature;

                    """);
            }
        }
        var batch = sql.ToString();
        if (devices < _claimBatches.Length)
        {
            _claimBatches[devices] = batch;
        }
        return batch;
    }

    private static string DeviceParameter(int index) =>
        index < DeviceParameters.Length ? DeviceParameters[index] : "d" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>Reads one claim's result (a key, or null when none was left) and moves to the next.</summary>
    private static async Task<Prekey?> ReadClaimAsync(DbDataReader reader, CancellationToken cancellationToken)
    {
        var key = await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadKey(reader, 0) : null;
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        return key;
    }

    private static void AddIfComplete(List<SignedKeys> complete, SignedKeys keys)
    {
        // A device without both signed keys cannot start a session; it is left out and keeps its one-time keys.
        if (keys is { SignedPreKey: not null, LastResort: not null })
        {
            complete.Add(keys);
        }
    }

    private static Prekey ReadKey(DbDataReader reader, int ordinal) =>
        new(reader.GetInt32(ordinal), reader.GetBytes(ordinal + 1), reader.IsDBNull(ordinal + 2) ? null : reader.GetBytes(ordinal + 2));

    /// <summary>A device's signed keys as the bundle query reads them.</summary>
    private sealed class SignedKeys(int deviceId, int registrationId)
    {
        public int DeviceId { get; } = deviceId;

        public int RegistrationId { get; } = registrationId;

        public Prekey? SignedPreKey { get; set; }

        public Prekey? LastResort { get; set; }
    }

    /// <summary>The writes of one upload, inside its transaction.</summary>
    private readonly struct DeviceKey(DbConnection connection, DbTransaction transaction, Guid userId, int deviceId)
    {
        public async Task ReplaceSignedAsync(int kind, Prekey key, CancellationToken cancellationToken)
        {
            await using var upsert = connection.Command("""
                INSERT INTO signed_prekeys (user_id, device_id, kind, key_id, public_key, signature)
                VALUES (@user, @device, @kind, @key, @public, @signature)
                ON CONFLICT (user_id, device_id, kind)
                DO UPDATE SET key_id = excluded.key_id, public_key = excluded.public_key, signature = excluded.signature
                """, transaction);
            await upsert.With("user", userId).With("device", deviceId).With("kind", kind).With("key", key.KeyId)
                .With("public", key.PublicKey).With("signature", key.Signature)
                .ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        public async Task ReplaceOneTimeAsync(int kind, IReadOnlyList<Prekey> keys, CancellationToken cancellationToken)
        {
            await using (var delete = connection.Command(
                "DELETE FROM one_time_prekeys WHERE user_id = @user AND device_id = @device AND kind = @kind", transaction))
            {
                await delete.With("user", userId).With("device", deviceId).With("kind", kind)
                    .ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            if (keys.Count == 0)
            {
                return;
            }
            // One multi-row INSERT per list: a list is at most 100 keys, well within both engines' parameter limits.
            await using var insert = connection.Command(string.Empty, transaction);
            insert.With("user", userId).With("device", deviceId).With("kind", kind);
            var sql = new StringBuilder(
                "INSERT INTO one_time_prekeys (user_id, device_id, kind, key_id, public_key, signature) VALUES ");
            for (var i = 0; i < keys.Count; i++)
            {
                var n = i.ToString(CultureInfo.InvariantCulture);
                sql.Append(i == 0 ? string.Empty : ", ")
                    .Append(CultureInfo.InvariantCulture, $"(@user, @device, @kind, @k{n}, @p{n}, @s{n})");
                insert.With("k" + n, keys[i].KeyId).With("p" + n, keys[i].PublicKey).With("s" + n, keys[i].Signature);
            }
            insert.CommandText = sql.ToString();
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
