using System.Globalization;
using System.Text;

namespace E2eeChat.Redis;

/// <summary>
/// Where the server is and how to behave towards it. Bind it from configuration, or
/// <see cref="Parse"/> a StackExchange-style string so one environment variable can carry it all:
/// <c>127.0.0.1:6379,password=secret,user=app,defaultDatabase=0,connectTimeout=5000,name=hub-1</c>.
/// </summary>
public sealed record RedisOptions
{
    public const int DefaultPort = 6379;

    private static readonly TimeSpan MaxDuration = TimeSpan.FromDays(1);

    public string Host { get; init; } = "127.0.0.1";

    public int Port { get; init; } = DefaultPort;

    /// <summary>ACL user name; sent as <c>AUTH user password</c>. Needs <see cref="Password"/>.</summary>
    public string? User { get; init; }

    /// <summary>Sent as <c>AUTH password</c> (or with <see cref="User"/>) on every new connection.</summary>
    public string? Password { get; init; }

    /// <summary>Chosen with SELECT on every new connection. Pub/sub is not scoped by database.</summary>
    public int Database { get; init; }

    /// <summary>For the TCP connect and the handshake (AUTH, SELECT, CLIENT SETNAME, PING) together.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The first wait after a connection drops; it doubles per failed attempt up to <see cref="ReconnectMaxDelay"/>.</summary>
    public TimeSpan ReconnectInitialDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The longest wait between reconnect attempts. Short, because Redis carries live fan-out: once it is back,
    /// instances should be too within about this long (an attempt to an absent server costs one refused connect).
    /// </summary>
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Set with CLIENT SETNAME so operators can tell instances apart in CLIENT LIST.</summary>
    public string? ClientName { get; init; }

    /// <summary><c>host:port</c>, with an IPv6 host in brackets.</summary>
    public string Endpoint => Host.Contains(':', StringComparison.Ordinal)
        ? $"[{Host}]:{Port.ToString(CultureInfo.InvariantCulture)}"
        : $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// Parses <c>host[:port]</c> followed by comma-separated <c>key=value</c> options:
    /// <c>password</c>, <c>user</c>, <c>defaultDatabase</c>, <c>name</c>, and in milliseconds
    /// <c>connectTimeout</c>, <c>syncTimeout</c> or <c>asyncTimeout</c> (both the command timeout),
    /// <c>reconnectInitialDelay</c>, <c>reconnectMaxDelay</c>. Keys are case-insensitive. Unknown
    /// keys are rejected rather than ignored, so a typo cannot silently drop a setting.
    /// </summary>
    public static RedisOptions Parse(string configuration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        var options = new RedisOptions();
        var endpointSeen = false;
        foreach (var rawPart in configuration.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = rawPart.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                if (endpointSeen)
                {
                    throw new FormatException("A Redis configuration may name only one endpoint.");
                }
                var (host, port) = ParseEndpoint(rawPart);
                options = options with { Host = host, Port = port };
                endpointSeen = true;
                continue;
            }
            var key = rawPart[..equals].Trim();
            var value = rawPart[(equals + 1)..].Trim();
            options = key.ToUpperInvariant() switch
            {
                "PASSWORD" => options with { Password = value.Length == 0 ? null : value },
                "USER" => options with { User = value.Length == 0 ? null : value },
                "DEFAULTDATABASE" => options with { Database = ParseInt(key, value) },
                "NAME" => options with { ClientName = value.Length == 0 ? null : value },
                "CONNECTTIMEOUT" => options with { ConnectTimeout = ParseMilliseconds(key, value) },
                "SYNCTIMEOUT" or "ASYNCTIMEOUT" => options with { CommandTimeout = ParseMilliseconds(key, value) },
                "RECONNECTINITIALDELAY" => options with { ReconnectInitialDelay = ParseMilliseconds(key, value) },
                "RECONNECTMAXDELAY" => options with { ReconnectMaxDelay = ParseMilliseconds(key, value) },
                "SSL" when value.Equals("false", StringComparison.OrdinalIgnoreCase) => options,
                "SSL" => throw new FormatException("TLS is not supported by this client; use ssl=false or omit it."),
                _ => throw new FormatException($"Unknown Redis configuration option '{key}'."),
            };
        }
        if (!endpointSeen)
        {
            throw new FormatException("A Redis configuration must start with the endpoint, as host:port.");
        }
        options.Validate();
        return options;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot work.</summary>
    public void Validate()
    {
        static void Require(bool condition, string message)
        {
            if (!condition)
            {
                throw new ArgumentException($"Invalid Redis options: {message}");
            }
        }
        Require(!string.IsNullOrWhiteSpace(Host), "Host is required.");
        Require(Port is > 0 and <= 65535, $"Port {Port} is out of range.");
        Require(Database >= 0, "Database cannot be negative.");
        Require(User is null || Password is not null, "User needs a Password.");
        // Bounded above so that deadline arithmetic on timestamps cannot overflow.
        Require(ConnectTimeout > TimeSpan.Zero && ConnectTimeout <= MaxDuration, "ConnectTimeout must be positive and at most a day.");
        Require(CommandTimeout > TimeSpan.Zero && CommandTimeout <= MaxDuration, "CommandTimeout must be positive and at most a day.");
        Require(ReconnectInitialDelay > TimeSpan.Zero, "ReconnectInitialDelay must be positive.");
        Require(ReconnectMaxDelay >= ReconnectInitialDelay && ReconnectMaxDelay <= MaxDuration,
            "ReconnectMaxDelay must be at least ReconnectInitialDelay and at most a day.");
        Require(ClientName is null || IsValidClientName(ClientName), "ClientName may not contain spaces or newlines.");
    }

    /// <summary>The configuration string form, with the password left out.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder(Endpoint);
        if (User is not null)
        {
            builder.Append(",user=").Append(User);
        }
        if (Password is not null)
        {
            builder.Append(",password=*****");
        }
        builder.Append(CultureInfo.InvariantCulture, $",defaultDatabase={Database}");
        if (ClientName is not null)
        {
            builder.Append(",name=").Append(ClientName);
        }
        builder.Append(CultureInfo.InvariantCulture, $",connectTimeout={ConnectTimeout.TotalMilliseconds:0}");
        builder.Append(CultureInfo.InvariantCulture, $",syncTimeout={CommandTimeout.TotalMilliseconds:0}");
        return builder.ToString();
    }

    private static (string Host, int Port) ParseEndpoint(string endpoint)
    {
        if (endpoint.StartsWith('['))
        {
            var close = endpoint.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new FormatException($"'{endpoint}' opens an IPv6 bracket it does not close.");
            }
            var host = endpoint[1..close];
            var rest = endpoint[(close + 1)..];
            return rest.Length == 0 ? (host, DefaultPort)
                : rest[0] == ':' ? (host, ParsePort(endpoint, rest[1..]))
                : throw new FormatException($"'{endpoint}' is not host:port.");
        }
        var colon = endpoint.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || endpoint.IndexOf(':', colon + 1) >= 0)
        {
            // No port, or a bare IPv6 address.
            return (endpoint, DefaultPort);
        }
        return (endpoint[..colon], ParsePort(endpoint, endpoint[(colon + 1)..]));
    }

    private static int ParsePort(string endpoint, string port) =>
        int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is > 0 and <= 65535
            ? value
            : throw new FormatException($"'{endpoint}' does not end in a valid port.");

    private static int ParseInt(string key, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : throw new FormatException($"Redis option '{key}' needs an integer, not '{value}'.");

    private static TimeSpan ParseMilliseconds(string key, string value) =>
        TimeSpan.FromMilliseconds(ParseInt(key, value));

    private static bool IsValidClientName(string name)
    {
        foreach (var c in name)
        {
            if (c <= ' ' || c > '~')
            {
                return false;
            }
        }
        return name.Length > 0;
    }
}
