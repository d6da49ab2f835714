using System.Data.Common;

namespace E2eeChat.Storage.Sql;

/// <summary>
/// Builds parameterised commands; named <c>@parameters</c> work on both engines. Parameters are named with their
/// <c>@</c>: Microsoft.Data.Sqlite binds an unprefixed name by trying each prefix in turn, a native lookup (and a new
/// string) per prefix, per parameter, per statement of the command, on every execution.
/// </summary>
internal static class DbCommands
{
    public static DbCommand Command(this DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    public static DbCommand With(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return command;
    }

    /// <summary>Adds a parameter to set per row: a statement run once per row is prepared once.</summary>
    public static DbParameter Parameter(this DbCommand command, string name)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.Value = DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }

    /// <summary>Adds one parameter per value and returns the placeholders for an <c>IN (…)</c> list.</summary>
    public static string WithList<T>(this DbCommand command, string prefix, IReadOnlyList<T> values)
    {
        var placeholders = new System.Text.StringBuilder(values.Count * (prefix.Length + 4));
        for (var i = 0; i < values.Count; i++)
        {
            var name = prefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            placeholders.Append(i == 0 ? "@" : ", @").Append(name);
            command.With(name, values[i]);
        }
        return placeholders.ToString();
    }

    public static long ToUnixMs(this DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    public static DateTimeOffset FromUnixMs(long value) => DateTimeOffset.FromUnixTimeMilliseconds(value);

    public static DateTimeOffset GetTime(this DbDataReader reader, int ordinal) => FromUnixMs(reader.GetInt64(ordinal));

    public static byte[] GetBytes(this DbDataReader reader, int ordinal) => (byte[])reader.GetValue(ordinal);
}
