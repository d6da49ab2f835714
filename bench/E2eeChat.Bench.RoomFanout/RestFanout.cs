using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography;

namespace E2eeChat.Bench.RoomFanout;

/// <summary>
/// One room send measured over REST: the sender PUTs one envelope per device of the room, then every other
/// device reads its mailbox until the message is there. The server commits before it answers (DESIGN §5.2), so
/// the first read after the answer finds it: time to the last device is the send plus one round of reads.
/// </summary>
internal sealed class RestFanout(BenchRoom room, int contentBytes)
{
    private readonly BenchDevice[] _receivers = [.. room.Devices.Skip(1)];

    /// <summary>Milliseconds from the start of the send to its answer, and to the last device's read that returned it.</summary>
    public async Task<(double Send, double LastDevice)> SendOnceAsync()
    {
        var sender = room.Devices[0];
        var envelopes = new object[_receivers.Length];
        for (var i = 0; i < envelopes.Length; i++)
        {
            var device = _receivers[i];
            envelopes[i] = new
            {
                destinationUserId = device.UserId,
                destinationDeviceId = device.DeviceId,
                destinationRegistrationId = device.RegistrationId,
                type = 2,
                content = Convert.ToBase64String(RandomNumberGenerator.GetBytes(contentBytes)),
            };
        }
        var body = new { messages = envelopes, timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() };

        var start = Stopwatch.GetTimestamp();
        using var response = await sender.Http.PutAsJsonAsync($"/api/v1/rooms/{room.RoomId}/messages", body);
        var messageId = (await BenchRoom.ReadAsync(response)).GetProperty("messageId").GetString()!;
        var sent = Stopwatch.GetElapsedTime(start);
        var arrivals = await Task.WhenAll(_receivers.Select(d => ReadUntilAsync(d, messageId)));
        var last = Stopwatch.GetElapsedTime(start, arrivals.Max(a => a.At));

        // Untimed: empties the mailboxes so every repeat reads the same amount.
        await Task.WhenAll(arrivals.Select((a, i) => AckAsync(_receivers[i], a.EnvelopeId)));
        return (sent.TotalMilliseconds, last.TotalMilliseconds);
    }

    private static async Task<(long At, string EnvelopeId)> ReadUntilAsync(BenchDevice device, string messageId)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var response = await device.Http.GetAsync(new Uri("/api/v1/messages?limit=10", UriKind.Relative));
            var mailbox = await BenchRoom.ReadAsync(response);
            foreach (var envelope in mailbox.GetProperty("envelopes").EnumerateArray())
            {
                if (envelope.GetProperty("messageId").GetString() == messageId)
                {
                    return (Stopwatch.GetTimestamp(), envelope.GetProperty("id").GetString()!);
                }
            }
        }
        throw new InvalidOperationException($"Device {device.UserId}/{device.DeviceId} never received message {messageId}.");
    }

    private static async Task AckAsync(BenchDevice device, string envelopeId)
    {
        using var ack = await device.Http.PostAsJsonAsync("/api/v1/messages/ack", new { ids = new[] { envelopeId } });
        await BenchRoom.ReadAsync(ack);
    }
}
