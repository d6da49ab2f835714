namespace E2eeChat.HubClient.Tests.Hosting;

/// <summary>Generous deadlines for waiting on something that should happen promptly; a hang fails instead of stalling the run.</summary>
public static class Within
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    public static Task<T> Soon<T>(this Task<T> task) => task.WaitAsync(Deadline);

    public static Task Soon(this Task task) => task.WaitAsync(Deadline);
}
