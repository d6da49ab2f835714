using System.Collections;
using E2eeChat.Server.Cluster;

namespace E2eeChat.Server.Logging;

/// <summary>
/// Every request's log entries carry this instance's name and id as a scope (<c>Instance</c>, <c>InstanceId</c>),
/// beside the request and connection ids ASP.NET Core and SignalR add: entries from N instances in one log store stay
/// apart. Shown when the console formatter includes scopes (README, "Operating").
/// </summary>
internal sealed class InstanceLogScope(InstanceIdentity instance) : IReadOnlyList<KeyValuePair<string, object?>>
{
    private readonly KeyValuePair<string, object?>[] _values =
    [
        new("Instance", instance.Name),
        new("InstanceId", instance.Id),
    ];

    public int Count => _values.Length;

    public KeyValuePair<string, object?> this[int index] => _values[index];

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_values).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"Instance:{instance.Name}";

    public static void UseInstanceLogScope(IApplicationBuilder app)
    {
        var scope = new InstanceLogScope(app.ApplicationServices.GetRequiredService<InstanceIdentity>());
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger<InstanceLogScope>();
        app.Use(async (context, next) =>
        {
            using (logger.BeginScope(scope))
            {
                await next(context).ConfigureAwait(false);
            }
        });
    }
}
