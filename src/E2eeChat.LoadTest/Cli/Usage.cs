namespace E2eeChat.LoadTest.Cli;

internal static class Usage
{
    public const string Text = """
        Usage:
          E2eeChat.LoadTest pairs|room|connections|drain|nonreaders [--url URL] [options]
          E2eeChat.LoadTest summarize RESULT.json...       (medians per label, as a Markdown table)
          E2eeChat.LoadTest median PATH RESULT.json...     (one figure, e.g. measured.deliveredPerSecond)
          E2eeChat.LoadTest compare BASE.json NEW.json [--max-throughput-drop 10%] [--max-p99-rise 20%]
                                                           (side by side; exit 2 when NEW regressed beyond a limit)

        Scenarios (each creates its own accounts and devices, one hub connection per device):
          pairs         P pairs; each sender sends over the hub to a partner with D devices.
                        --pairs P (10)
          room          One room of M members × D devices; K members send to it (SendToRoom).
                        --members M (10)  --senders K (1)
          connections   N idle connections, opened over the ramp-up and held for the duration;
                        reports connect rate, failures and server memory per connection.
                        --connections N (1000)
          drain         Fills an offline user's D devices with E envelopes each (REST), then
                        connects them and times the drain.   --envelopes E (10000)
          nonreaders    N connections that complete the handshake and never read; E envelopes of
                        --size bytes sent to each (REST); waits (--settle) until the server closed
                        them all; server VmRSS before, at its peak and at the end, and the peak's
                        rise per connection.   --connections N  --envelopes E

        Options:
          --url URL                The server or nginx in front of it (http://127.0.0.1:5080).
          --protocol json|messagepack
                                   The hub protocol of every connection (json); with messagepack,
                                   content travels as bytes instead of base64.
          --devices D              Devices per receiving account, 1..6 (1).
          --size BYTES             Content bytes per envelope, at least 24 (256).
          --rate R                 Open loop: messages/s offered per sender (10).
          --closed-loop send|delivery
                                   Closed loop instead: each sender waits for its previous send's
                                   result, or until the previous message reached every device.
          --max-in-flight N        Open loop: unanswered sends per sender before it falls behind (256).
          --duration T             Measured time; for connections, how long to hold them (30s).
          --warmup T               Sending before the measured window, left out of the stats (5s).
          --ramp-up T              Start senders (or connections) evenly over this time (0s).
          --settle T               After sending, wait at most this long for deliveries (30s).
          --parallelism N          Concurrent sign-ups, handshakes and REST sends (16).
          --max-loss N             Exit 2 when more envelopes are lost (0).
          --max-errors N           Exit 2 when more errors occur (0).
          --max-duplicates N       Exit 2 when more duplicates arrive (no limit: delivery is at least once).
          --out DIR                Where result.json and report.html go (bench/results/SCENARIO-TIME).
          --label TEXT             Names the run in reports and in summarize.
          --progress auto|live|plain|none
                                   Live table on a terminal, plain lines otherwise (auto).
          --progress-interval T    Between plain progress lines (5s).
          --server-pid PID         Server process to read memory and CPU from (default: the local
                                   .NET process listening on the URL's port; none behind nginx).
          --cpu-of NAME=PID        Also report the CPU of PID and its descendants under NAME; repeat
                                   it, one NAME for several PIDs adds them (hub=PID1 hub=PID2).
          --fault drop-acks-then-disconnect|drop-acks-then-reconnect
                                   pairs and room: one receiving device never acks, then disconnects
                                   halfway, for good or reconnecting at once; shows loss or duplicates.

        Times take ms, s, m or h (500ms, 30s, 2m); a bare number is seconds.
        Exit codes: 0 within thresholds, 2 thresholds exceeded, 1 usage or fatal error.
        A local server needs raised rate limits for set-up (see README, Load testing).
        """;
}
