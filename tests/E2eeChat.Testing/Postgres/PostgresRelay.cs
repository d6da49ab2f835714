using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace E2eeChat.Testing.Postgres;

/// <summary>What <see cref="PostgresRelay"/> does to the link once the marked transaction's COMMIT has reached PostgreSQL.</summary>
public enum AfterCommit
{
    /// <summary>The answer never reaches the client and its connection is cut: committed, and the client cannot know.</summary>
    LoseTheAnswer,

    /// <summary>The answer reaches the client, then every connection is cut and new ones are refused until <see cref="PostgresRelay.Restore"/>.</summary>
    GoDown,
}

/// <summary>
/// A loopback TCP relay in front of a real PostgreSQL, for faults a process stop cannot time: it watches the wire for
/// the transaction that carries a marker (bytes a test put in a parameter) and acts when PostgreSQL answers that
/// transaction's COMMIT (whether it came as a query of its own or as the last statement of a batch, prepared or not, the
/// answer names it). Everything else passes untouched.
/// </summary>
public sealed class PostgresRelay : IAsyncDisposable
{
    // CommandComplete message: 'C', length 11 (itself, the tag "COMMIT", the terminator); PostgreSQL sends it once it
    // has committed.
    private static readonly byte[] CommitComplete = [(byte)'C', 0, 0, 0, 11, .. "COMMIT"u8, 0];
    // ReadyForQuery, idle: the end of the answer to COMMIT.
    private static readonly byte[] ReadyIdle = [(byte)'Z', 0, 0, 0, 5, (byte)'I'];

    // Longer than any marker a test uses.
    private const int CarriedBytes = 128;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Link, bool> _links = new();
    private readonly Task _accepting;
    private readonly Lock _gate = new();
    private byte[]? _marker;
    private AfterCommit _action;
    private TaskCompletionSource? _done;
    private volatile bool _down;

    private PostgresRelay(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _accepting = Task.Run(AcceptAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public static PostgresRelay Start(int targetPort) => new(targetPort);

    /// <summary><paramref name="connectionString"/> with its host and port pointing at the relay.</summary>
    public string Through(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Host = "127.0.0.1", Port = Port }.ConnectionString;

    /// <summary>
    /// Arms the relay for the next transaction whose statements carry <paramref name="marker"/>; the task completes when
    /// its COMMIT reached the server and <paramref name="action"/> was done.
    /// </summary>
    public Task ArmAsync(byte[] marker, AfterCommit action)
    {
        ArgumentNullException.ThrowIfNull(marker);
        if (marker.Length is 0 or > CarriedBytes)
        {
            throw new ArgumentException($"A marker is 1 to {CarriedBytes} bytes.", nameof(marker));
        }
        lock (_gate)
        {
            if (_marker is not null)
            {
                throw new InvalidOperationException("The relay is armed already.");
            }
            _marker = marker;
            _action = action;
            _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _done.Task;
        }
    }

    /// <summary>Takes connections again after <see cref="AfterCommit.GoDown"/>.</summary>
    public void Restore() => _down = false;

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => RelayAsync(client));
        }
    }

    private async Task RelayAsync(Socket client)
    {
        if (_down)
        {
            client.Dispose();
            return;
        }
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is SocketException or OperationCanceledException)
        {
            server.Dispose();
            client.Dispose();
            return;
        }
        var link = new Link(client, server);
        _links[link] = true;
        await Task.WhenAll(ForwardRequestsAsync(link), ForwardAnswersAsync(link)).ConfigureAwait(false);
        _links.TryRemove(link, out _);
        link.Close();
    }

    private async Task ForwardRequestsAsync(Link link)
    {
        var buffer = new byte[64 * 1024];
        var carry = Array.Empty<byte>();
        try
        {
            while (true)
            {
                var read = await link.Client.ReceiveAsync(buffer, _stopping.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }
                // What was read, with the end of the previous read in front: a pattern may straddle two reads.
                var window = new byte[carry.Length + read];
                carry.CopyTo(window, 0);
                buffer.AsSpan(0, read).CopyTo(window.AsSpan(carry.Length));
                var from = 0;
                lock (_gate)
                {
                    if (!link.Marked && _marker is { } marker && window.AsSpan().IndexOf(marker) is >= 0 and var at)
                    {
                        link.Action = _action;
                        link.Marked = true;
                        _marker = null;
                        from = at + marker.Length;
                    }
                }
                await link.Server.SendAsync(buffer.AsMemory(0, read), _stopping.Token).ConfigureAwait(false);
                carry = window.AsSpan(Math.Max(from, window.Length - CarriedBytes)).ToArray();
            }
        }
        catch (Exception exception) when (exception is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        link.Close();
    }

    private async Task ForwardAnswersAsync(Link link)
    {
        var buffer = new byte[64 * 1024];
        var carry = Array.Empty<byte>();
        try
        {
            while (true)
            {
                var read = await link.Server.ReceiveAsync(buffer, _stopping.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }
                if (link.Marked && !link.Committed)
                {
                    // Only a COMMIT answered after the marker went out ends the marked transaction; the tag may
                    // straddle two reads.
                    var window = new byte[carry.Length + read];
                    carry.CopyTo(window, 0);
                    buffer.AsSpan(0, read).CopyTo(window.AsSpan(carry.Length));
                    link.Committed = window.AsSpan().IndexOf(CommitComplete) >= 0;
                    carry = window.AsSpan(Math.Max(0, window.Length - CommitComplete.Length)).ToArray();
                }
                if (link.Committed && link.Action == AfterCommit.LoseTheAnswer)
                {
                    link.Close();
                    Finish();
                    break;
                }
                await link.Client.SendAsync(buffer.AsMemory(0, read), _stopping.Token).ConfigureAwait(false);
                if (link.Committed && buffer.AsSpan(0, read).IndexOf(ReadyIdle) >= 0)
                {
                    _down = true;
                    foreach (var other in _links.Keys)
                    {
                        other.Close();
                    }
                    Finish();
                    break;
                }
            }
        }
        catch (Exception exception) when (exception is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        link.Close();
    }

    private void Finish()
    {
        lock (_gate)
        {
            _done?.TrySetResult();
            _done = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        foreach (var link in _links.Keys)
        {
            link.Close();
        }
        await _accepting.ConfigureAwait(false);
        _stopping.Dispose();
    }

    private sealed class Link(Socket client, Socket server)
    {
        private int _closed;

        public Socket Client { get; } = client;

        public Socket Server { get; } = server;

        private volatile bool _marked;

        /// <summary>The marked transaction's statements have gone to the server (set by the request side).</summary>
        public bool Marked
        {
            get => _marked;
            set => _marked = value;
        }

        public AfterCommit Action { get; set; }

        /// <summary>PostgreSQL has answered the marked transaction's COMMIT (seen on the answer side).</summary>
        public bool Committed { get; set; }

        /// <summary>Ends both sides with a FIN: what was sent before arrives, nothing after.</summary>
        public void Close()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 1)
            {
                return;
            }
            foreach (var socket in new[] { Client, Server })
            {
                try
                {
                    socket.Shutdown(SocketShutdown.Both);
                }
                catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
                {
                }
                socket.Dispose();
            }
        }
    }
}
