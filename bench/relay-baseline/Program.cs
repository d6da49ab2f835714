using E2eeChat.Bench.Relay;

// The framework's ceiling for delivery on this machine: a bare SignalR relay (no auth, no store), and a
// driver that loads it the way the load tool loads E2eeChat (pairs, closed loop on delivery), or holds idle connections.
return args.FirstOrDefault() switch
{
    "serve" => await RelayServer.RunAsync(args[1..]).ConfigureAwait(false),
    "drive" => await RelayDriver.RunAsync(DriverOptions.Parse(args[1..])).ConfigureAwait(false),
    "hold" => await HoldDriver.RunAsync(DriverOptions.Parse(args[1..])).ConfigureAwait(false),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: E2eeChat.Bench.Relay serve --urls http://127.0.0.1:PORT [--redis HOST:PORT]
               E2eeChat.Bench.Relay drive --url http://127.0.0.1:PORT [--pairs 50] [--size 1024]
                   [--duration 20s] [--warmup 5s] [--protocol json|messagepack]
               E2eeChat.Bench.Relay hold --url http://127.0.0.1:PORT --server-pid PID [--connections 18000]
                   [--duration 20s] [--protocol json|messagepack]
        """);
    return 1;
}
