namespace E2eeChat.Scaleout;

/// <summary>
/// The groups one local connection is in, kept on the connection's features. Closing it on
/// disconnect and changing it happen under one lock, so a group change racing a disconnect can
/// neither leave the connection in a group nor keep a group's channel subscribed for nobody.
/// </summary>
internal sealed class ConnectionGroups
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _groups = new(StringComparer.Ordinal);
    private bool _closed;

    /// <summary>
    /// Runs <paramref name="subscribe"/> under the lock when <paramref name="group"/> is new for an
    /// open connection; otherwise there is nothing to do.
    /// </summary>
    public Task AddAsync(string group, Func<string, Task> subscribe)
    {
        lock (_gate)
        {
            return !_closed && _groups.Add(group) ? subscribe(group) : Task.CompletedTask;
        }
    }

    public Task RemoveAsync(string group, Func<string, Task> unsubscribe)
    {
        lock (_gate)
        {
            return _groups.Remove(group) ? unsubscribe(group) : Task.CompletedTask;
        }
    }

    /// <summary>Closes the set for good and leaves every group it held.</summary>
    public Task CloseAsync(Func<string, Task> unsubscribe)
    {
        lock (_gate)
        {
            _closed = true;
            if (_groups.Count == 0)
            {
                return Task.CompletedTask;
            }
            var left = new Task[_groups.Count];
            var i = 0;
            foreach (var group in _groups)
            {
                left[i++] = unsubscribe(group);
            }
            _groups.Clear();
            return Task.WhenAll(left);
        }
    }
}
