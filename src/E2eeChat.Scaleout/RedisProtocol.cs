using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace E2eeChat.Scaleout;

/// <summary>
/// The scale-out wire format. An invocation carries the hub message already serialized by every
/// protocol the hub speaks, so receivers copy bytes into connections and never re-serialize:
/// <code>
/// invocation    1 | origin(16) | flags | excluded ids | [invocation id] | (protocol name, bytes)*
/// group command 2 | origin(16) | ack id | action | connection id | group
/// ack           3 | ack id
/// completion    4 | protocol name | completion bytes
/// </code>
/// Strings are UTF-8 and byte runs are prefixed with their length; lists with their count.
/// </summary>
internal static class RedisProtocol
{
    private const byte HasInvocationId = 1;

    // The origin sits at a fixed offset so that an echo is recognised before anything is parsed.
    private const int OriginOffset = 1;

    public static RedisMessageKind KindOf(ReadOnlySpan<byte> payload) =>
        payload.IsEmpty ? 0 : (RedisMessageKind)payload[0];

    /// <summary>True when <paramref name="server"/> published this invocation itself, and so already delivered it locally.</summary>
    public static bool IsInvocationFrom(ReadOnlySpan<byte> payload, ServerId server) =>
        KindOf(payload) == RedisMessageKind.Invocation && server.Matches(payload[OriginOffset..]);

    /// <summary>
    /// Serializes <paramref name="message"/> once per protocol. <see cref="SerializedHubMessage"/>
    /// caches each serialization, so local connections written afterwards reuse the same bytes.
    /// </summary>
    public static byte[] WriteInvocation(ServerId origin, SerializedHubMessage message,
        IReadOnlyList<string>? excludedConnectionIds, string? invocationId, IReadOnlyList<IHubProtocol> protocols)
    {
        var excludedCount = excludedConnectionIds?.Count ?? 0;
        var size = 1 + ServerId.Size + 1 + WireWriter.VarIntSize((ulong)excludedCount)
            + WireWriter.VarIntSize((ulong)protocols.Count);
        for (var i = 0; i < excludedCount; i++)
        {
            size += WireWriter.StringSize(excludedConnectionIds![i]);
        }
        if (invocationId is not null)
        {
            size += WireWriter.StringSize(invocationId);
        }
        for (var i = 0; i < protocols.Count; i++)
        {
            size += WireWriter.StringSize(protocols[i].Name)
                + WireWriter.BytesSize(message.GetSerializedMessage(protocols[i]).Length);
        }

        var payload = new byte[size];
        var writer = new WireWriter(payload);
        writer.WriteByte((byte)RedisMessageKind.Invocation);
        writer.WriteServerId(origin);
        writer.WriteByte(invocationId is null ? (byte)0 : HasInvocationId);
        writer.WriteVarInt((ulong)excludedCount);
        for (var i = 0; i < excludedCount; i++)
        {
            writer.WriteString(excludedConnectionIds![i]);
        }
        if (invocationId is not null)
        {
            writer.WriteString(invocationId);
        }
        writer.WriteVarInt((ulong)protocols.Count);
        for (var i = 0; i < protocols.Count; i++)
        {
            writer.WriteString(protocols[i].Name);
            writer.WriteBytes(message.GetSerializedMessage(protocols[i]).Span);
        }
        return Finish(payload, writer);
    }

    public static RedisInvocation ReadInvocation(ReadOnlyMemory<byte> payload)
    {
        var reader = Open(payload, RedisMessageKind.Invocation);
        var origin = reader.ReadServerId();
        var flags = reader.ReadByte();
        var excludedCount = reader.ReadCount();
        string[]? excluded = null;
        if (excludedCount > 0)
        {
            excluded = new string[excludedCount];
            for (var i = 0; i < excluded.Length; i++)
            {
                excluded[i] = reader.ReadString();
            }
        }
        var invocationId = (flags & HasInvocationId) != 0 ? reader.ReadString() : null;
        var serializations = new SerializedMessage[reader.ReadCount()];
        for (var i = 0; i < serializations.Length; i++)
        {
            var protocolName = reader.ReadString();
            serializations[i] = new SerializedMessage(protocolName, reader.ReadBytes());
        }
        EnsureEnd(reader);
        return new RedisInvocation(origin, new SerializedHubMessage(serializations), excluded, invocationId);
    }

    public static byte[] WriteGroupCommand(RedisGroupCommand command)
    {
        var payload = new byte[1 + ServerId.Size + WireWriter.VarIntSize((ulong)command.AckId) + 1
            + WireWriter.StringSize(command.ConnectionId) + WireWriter.StringSize(command.GroupName)];
        var writer = new WireWriter(payload);
        writer.WriteByte((byte)RedisMessageKind.GroupCommand);
        writer.WriteServerId(command.Origin);
        writer.WriteVarInt((ulong)command.AckId);
        writer.WriteByte((byte)command.Action);
        writer.WriteString(command.ConnectionId);
        writer.WriteString(command.GroupName);
        return Finish(payload, writer);
    }

    public static RedisGroupCommand ReadGroupCommand(ReadOnlyMemory<byte> payload)
    {
        var reader = Open(payload, RedisMessageKind.GroupCommand);
        var origin = reader.ReadServerId();
        var ackId = (long)reader.ReadVarInt();
        var action = (GroupAction)reader.ReadByte();
        if (action is not (GroupAction.Add or GroupAction.Remove))
        {
            throw new InvalidDataException($"Unknown group action {(byte)action}.");
        }
        var command = new RedisGroupCommand(origin, ackId, action, reader.ReadString(), reader.ReadString());
        EnsureEnd(reader);
        return command;
    }

    public static byte[] WriteAck(long ackId)
    {
        var payload = new byte[1 + WireWriter.VarIntSize((ulong)ackId)];
        var writer = new WireWriter(payload);
        writer.WriteByte((byte)RedisMessageKind.Ack);
        writer.WriteVarInt((ulong)ackId);
        return Finish(payload, writer);
    }

    public static long ReadAck(ReadOnlyMemory<byte> payload)
    {
        var reader = Open(payload, RedisMessageKind.Ack);
        var ackId = (long)reader.ReadVarInt();
        EnsureEnd(reader);
        return ackId;
    }

    public static byte[] WriteCompletion(string protocolName, ReadOnlySpan<byte> completionMessage)
    {
        var payload = new byte[1 + WireWriter.StringSize(protocolName) + WireWriter.BytesSize(completionMessage.Length)];
        var writer = new WireWriter(payload);
        writer.WriteByte((byte)RedisMessageKind.Completion);
        writer.WriteString(protocolName);
        writer.WriteBytes(completionMessage);
        return Finish(payload, writer);
    }

    public static RedisCompletion ReadCompletion(ReadOnlyMemory<byte> payload)
    {
        var reader = Open(payload, RedisMessageKind.Completion);
        var completion = new RedisCompletion(reader.ReadString(), reader.ReadBytes());
        EnsureEnd(reader);
        return completion;
    }

    private static WireReader Open(ReadOnlyMemory<byte> payload, RedisMessageKind expected)
    {
        var kind = KindOf(payload.Span);
        if (kind != expected)
        {
            throw new InvalidDataException($"Expected a scale-out {expected} message, not kind {(byte)kind}.");
        }
        var reader = new WireReader(payload);
        reader.ReadByte();
        return reader;
    }

    private static void EnsureEnd(WireReader reader)
    {
        if (!reader.IsAtEnd)
        {
            throw new InvalidDataException("A scale-out message has bytes left over after its last field.");
        }
    }

    private static byte[] Finish(byte[] payload, WireWriter writer) =>
        writer.Position == payload.Length
            ? payload
            : throw new InvalidOperationException($"Sized {payload.Length} bytes for a scale-out message but wrote {writer.Position}.");
}
