using System.Text;
using E2eeChat.HubClient.Protocol;
using Xunit;

namespace E2eeChat.HubClient.Tests.Protocol;

public sealed class HubProtocolReaderTests
{
    [Fact]
    public void Fields_are_read_in_any_order()
    {
        var message = Parse("{\"arguments\":[1,{\"a\":[2]}],\"target\":\"Notify\",\"headers\":{\"h\":\"v\"},\"type\":1}", out var target, out var arguments);

        Assert.Equal(HubMessageType.Invocation, message);
        Assert.Equal("Notify", target);
        Assert.Equal("[1,{\"a\":[2]}]", arguments);
    }

    [Fact]
    public void Escaped_target_is_unescaped()
    {
        Parse("{\"type\":1,\"target\":\"N\\u006ftify\",\"arguments\":[]}", out var target, out _);

        Assert.Equal("Notify", target);
    }

    [Fact]
    public void Completion_result_is_kept_raw_and_numeric_ids_are_parsed()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"type\":3,\"invocationId\":\"17\",\"result\":{\"x\":\"y\"}}");

        var message = HubProtocolReader.Parse(bytes, new char[16]);

        Assert.Equal(17, message.InvocationId);
        Assert.Equal("\"17\"", Encoding.UTF8.GetString(message.InvocationIdJson));
        Assert.Equal("{\"x\":\"y\"}", Encoding.UTF8.GetString(message.Result));
    }

    [Fact]
    public void Ids_this_client_never_issues_match_no_invocation()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"type\":3,\"invocationId\":\"abc\",\"error\":\"e\"}");

        var message = HubProtocolReader.Parse(bytes, new char[16]);

        Assert.Equal(0, message.InvocationId);
        Assert.Equal("e", message.Error);
    }

    [Fact]
    public void Close_carries_its_error_and_reconnect_hint()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"type\":7,\"error\":\"Connection closed with an error.\",\"allowReconnect\":true}");

        var message = HubProtocolReader.Parse(bytes, new char[16]);

        Assert.Equal(HubMessageType.Close, message.Type);
        Assert.Equal("Connection closed with an error.", message.Error);
        Assert.True(message.AllowReconnect);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("{\"target\":\"x\"}")]
    [InlineData("{\"type\":\"one\"}")]
    public void Malformed_records_are_refused(string record)
    {
        Assert.Throws<InvalidDataException>(() => HubProtocolReader.Parse(Encoding.UTF8.GetBytes(record), new char[16]));
    }

    [Fact]
    public void Handshake_response_error_is_read()
    {
        Assert.Null(HubProtocolReader.ReadHandshakeError("{}"u8));
        Assert.Equal("Requested protocol 'x' is not available.",
            HubProtocolReader.ReadHandshakeError("{\"error\":\"Requested protocol 'x' is not available.\"}"u8));
    }

    private static HubMessageType Parse(string json, out string target, out string arguments)
    {
        var message = HubProtocolReader.Parse(Encoding.UTF8.GetBytes(json), new char[16]);
        target = message.Target.ToString();
        arguments = Encoding.UTF8.GetString(message.Arguments);
        return message.Type;
    }
}
