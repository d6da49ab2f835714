using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace E2eeChat.Bench.Relay;

/// <summary>
/// P pairs: each sender invokes <c>Send</c> with a payload of the given size, waits until its receiver has it,
/// and sends again (a closed loop on delivery, as the load tool's <c>--closed-loop delivery</c>). Prints the
/// messages delivered per second in the measured window, after the warm-up, as one JSON line.
/// </summary>
internal static class RelayDriver
{
    public static async Task<int> RunAsync(DriverOptions options)
    {
        var pairs = new Pair[options.Pairs];
        for (var i = 0; i < pairs.Length; i++)
        {
            pairs[i] = new Pair(
                await ConnectAsync(options, $"s{i}").ConfigureAwait(false),
                await ConnectAsync(options, $"r{i}").ConfigureAwait(false),
                $"r{i}");
        }
        var payload = new byte[options.Size];
        Random.Shared.NextBytes(payload);
        var measuring = 0;
        long delivered = 0;
        using var stop = new CancellationTokenSource();
        var loops = pairs.Select(pair => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var arrived = pair.Expect();
                await pair.Sender.InvokeAsync("Send", pair.ReceiverUser, payload, stop.Token).ConfigureAwait(false);
                await arrived.WaitAsync(stop.Token).ConfigureAwait(false);
                if (Volatile.Read(ref measuring) == 1)
                {
                    Interlocked.Increment(ref delivered);
                }
            }
        })).ToArray();

        await Task.Delay(options.Warmup).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        Volatile.Write(ref measuring, 1);
        await Task.Delay(options.Duration).ConfigureAwait(false);
        Volatile.Write(ref measuring, 0);
        var count = Interlocked.Read(ref delivered);
        var seconds = clock.Elapsed.TotalSeconds;
        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(loops).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        foreach (var pair in pairs)
        {
            await pair.Sender.DisposeAsync().ConfigureAwait(false);
            await pair.Receiver.DisposeAsync().ConfigureAwait(false);
        }
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            messagesPerSecond = Math.Round(count / seconds, 1),
            delivered = count,
            seconds = Math.Round(seconds, 2),
            pairs = options.Pairs,
            size = options.Size,
            protocol = options.Protocol,
        }));
        return 0;
    }

    internal static async Task<HubConnection> ConnectAsync(DriverOptions options, string user)
    {
        var builder = new HubConnectionBuilder().WithUrl(new Uri(options.Url, $"{RelayServer.Path}?user={user}"), http =>
        {
            http.SkipNegotiation = true;
            http.Transports = HttpTransportType.WebSockets;
        });
        if (options.Protocol == "messagepack")
        {
            builder.AddMessagePackProtocol();
        }
        var connection = builder.Build();
        await connection.StartAsync().ConfigureAwait(false);
        return connection;
    }

    private sealed class Pair
    {
        private TaskCompletionSource _arrival = NewArrival();

        public Pair(HubConnection sender, HubConnection receiver, string receiverUser)
        {
            Sender = sender;
            Receiver = receiver;
            ReceiverUser = receiverUser;
            receiver.On<byte[]>("Message", _ => Volatile.Read(ref _arrival).TrySetResult());
        }

        public HubConnection Sender { get; }

        public HubConnection Receiver { get; }

        public string ReceiverUser { get; }

        /// <summary>A task that completes when the next message reaches the receiver.</summary>
        public Task Expect()
        {
            var arrival = NewArrival();
            Volatile.Write(ref _arrival, arrival);
            return arrival.Task;
        }

        private static TaskCompletionSource NewArrival() => new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
