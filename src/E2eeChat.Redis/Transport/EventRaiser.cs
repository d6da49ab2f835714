using System.Diagnostics.CodeAnalysis;

namespace E2eeChat.Redis.Transport;

/// <summary>
/// Raises connection events from the reconnect loop. Each observer is called on its own, and one
/// that throws is skipped: an observer's bug must not stop the others or leave the connection down.
/// </summary>
internal static class EventRaiser
{
    public static void Raise<TArgs>(object sender, EventHandler<TArgs>? handler, TArgs args)
    {
        if (handler is null)
        {
            return;
        }
        foreach (var observer in handler.GetInvocationList())
        {
            Invoke(() => ((EventHandler<TArgs>)observer).Invoke(sender, args));
        }
    }

    public static void Raise(object sender, EventHandler? handler, EventArgs args)
    {
        if (handler is null)
        {
            return;
        }
        foreach (var observer in handler.GetInvocationList())
        {
            Invoke(() => ((EventHandler)observer).Invoke(sender, args));
        }
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types",
        Justification = "See the class summary: observers are isolated from each other and from the loop.")]
    private static void Invoke(Action call)
    {
        try
        {
            call();
        }
        catch (Exception)
        {
        }
    }
}
