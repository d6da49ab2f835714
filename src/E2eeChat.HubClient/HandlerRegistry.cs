namespace E2eeChat.HubClient;

/// <summary>Receives the raw JSON arguments array of one invocation.</summary>
internal delegate void InvocationHandler(ReadOnlySpan<byte> argumentsJson);

/// <summary>
/// The handlers for server-to-client invocations, by target name. Registration copies the map, so
/// the receive loop looks handlers up without a lock and, through the span lookup, without a string.
/// Targets match without regard to case, as in the JavaScript client.
/// </summary>
internal sealed class HandlerRegistry
{
    private readonly Lock _gate = new();
    private Dictionary<string, InvocationHandler[]> _handlers = new(StringComparer.OrdinalIgnoreCase);

    public IDisposable Add(string target, InvocationHandler handler)
    {
        lock (_gate)
        {
            var copy = new Dictionary<string, InvocationHandler[]>(_handlers, StringComparer.OrdinalIgnoreCase);
            copy[target] = copy.TryGetValue(target, out var existing) ? [.. existing, handler] : [handler];
            Volatile.Write(ref _handlers, copy);
        }
        return new Registration(this, target, handler);
    }

    public InvocationHandler[]? Find(ReadOnlySpan<char> target)
    {
        var lookup = Volatile.Read(ref _handlers).GetAlternateLookup<ReadOnlySpan<char>>();
        return lookup.TryGetValue(target, out var handlers) ? handlers : null;
    }

    private void Remove(string target, InvocationHandler handler)
    {
        lock (_gate)
        {
            if (!_handlers.TryGetValue(target, out var existing) || Array.IndexOf(existing, handler) < 0)
            {
                return;
            }
            var copy = new Dictionary<string, InvocationHandler[]>(_handlers, StringComparer.OrdinalIgnoreCase);
            var remaining = Array.FindAll(existing, h => !ReferenceEquals(h, handler));
            if (remaining.Length == 0)
            {
                copy.Remove(target);
            }
            else
            {
                copy[target] = remaining;
            }
            Volatile.Write(ref _handlers, copy);
        }
    }

    private sealed class Registration(HandlerRegistry registry, string target, InvocationHandler handler) : IDisposable
    {
        public void Dispose() => registry.Remove(target, handler);
    }
}
