using System.Text;
using E2eeChat.Scaleout.Tests.Fakes;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace E2eeChat.Scaleout.Tests;

/// <summary>The scale-out wire format: what goes in comes out, and nothing malformed gets through.</summary>
public sealed class RedisProtocolTests
{
    private static readonly ServerId Origin = ServerId.New();
    private static readonly IHubProtocol Json = new JsonHubProtocol();
    private static readonly IHubProtocol Other = new NamedJsonProtocol("other", namingPolicy: null);

    [Fact]
    public void An_invocation_carries_its_origin_exclusions_and_one_serialization_per_protocol()
    {
        var message = new SerializedHubMessage(new InvocationMessage("Hello", ["World"]));

        var payload = RedisProtocol.WriteInvocation(Origin, message, ["a", "connection-ü"], invocationId: null, [Json, Other]);
        var invocation = RedisProtocol.ReadInvocation(payload);

        Assert.Equal(Origin, invocation.Origin);
        Assert.Equal(["a", "connection-ü"], invocation.ExcludedConnectionIds!);
        Assert.Null(invocation.InvocationId);
        Assert.Equal(message.GetSerializedMessage(Json).ToArray(), invocation.Message.GetSerializedMessage(Json).ToArray());
        Assert.Equal(message.GetSerializedMessage(Other).ToArray(), invocation.Message.GetSerializedMessage(Other).ToArray());
    }

    [Fact]
    public void A_client_result_invocation_carries_its_invocation_id()
    {
        var message = new SerializedHubMessage(new InvocationMessage("id-1", "Result", ["test"]));

        var invocation = RedisProtocol.ReadInvocation(RedisProtocol.WriteInvocation(Origin, message, null, "id-1", [Json]));

        Assert.Equal("id-1", invocation.InvocationId);
        Assert.Null(invocation.ExcludedConnectionIds);
    }

    [Fact]
    public void An_instance_recognises_its_own_invocations_only()
    {
        var payload = RedisProtocol.WriteInvocation(Origin, new SerializedHubMessage(new InvocationMessage("Hello", [])), null, null, [Json]);

        Assert.True(RedisProtocol.IsInvocationFrom(payload, Origin));
        Assert.False(RedisProtocol.IsInvocationFrom(payload, ServerId.New()));
        var groupCommand = RedisProtocol.WriteGroupCommand(new RedisGroupCommand(Origin, 1, GroupAction.Add, "c", "g"));
        Assert.False(RedisProtocol.IsInvocationFrom(groupCommand, Origin));
        Assert.False(RedisProtocol.IsInvocationFrom([], Origin));
    }

    [Theory]
    [InlineData(true, 1L)]
    [InlineData(false, long.MaxValue)]
    public void A_group_command_round_trips(bool add, long ackId)
    {
        var command = new RedisGroupCommand(Origin, ackId, add ? GroupAction.Add : GroupAction.Remove, "connection-1", "room ✓");

        Assert.Equal(command, RedisProtocol.ReadGroupCommand(RedisProtocol.WriteGroupCommand(command)));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(127L)]
    [InlineData(128L)]
    [InlineData(1L << 35)]
    [InlineData(long.MaxValue)]
    public void An_ack_round_trips(long ackId) =>
        Assert.Equal(ackId, RedisProtocol.ReadAck(RedisProtocol.WriteAck(ackId)));

    [Fact]
    public void A_completion_round_trips_with_its_protocol_name()
    {
        var bytes = Json.GetMessageBytes(CompletionMessage.WithResult("id-1", 42));

        var completion = RedisProtocol.ReadCompletion(RedisProtocol.WriteCompletion("json", bytes.Span));

        Assert.Equal("json", completion.ProtocolName);
        Assert.Equal(bytes.ToArray(), completion.CompletionMessage.ToArray());
    }

    [Fact]
    public void Truncated_messages_are_rejected()
    {
        var payload = RedisProtocol.WriteInvocation(Origin, new SerializedHubMessage(new InvocationMessage("Hello", ["World"])),
            ["excluded"], "id", [Json]);

        for (var length = 0; length < payload.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => RedisProtocol.ReadInvocation(payload.AsMemory(0, length)));
        }
    }

    [Fact]
    public void Trailing_bytes_and_the_wrong_kind_are_rejected()
    {
        var ack = RedisProtocol.WriteAck(7);

        Assert.Throws<InvalidDataException>(() => RedisProtocol.ReadAck(ack.Concat(new byte[] { 0 }).ToArray()));
        Assert.Throws<InvalidDataException>(() => RedisProtocol.ReadGroupCommand(ack));
        Assert.Throws<InvalidDataException>(() => RedisProtocol.ReadAck(Encoding.UTF8.GetBytes("garbage")));
    }

    [Fact]
    public void A_length_larger_than_the_message_is_rejected_before_anything_is_allocated()
    {
        // Kind, then a protocol name claiming 2^62 bytes.
        byte[] completion = [4, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40];

        Assert.Throws<InvalidDataException>(() => RedisProtocol.ReadCompletion(completion));
    }
}
