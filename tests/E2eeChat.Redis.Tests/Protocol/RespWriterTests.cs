using System.Buffers;
using System.Text;
using E2eeChat.Redis.Protocol;
using Xunit;

namespace E2eeChat.Redis.Tests.Protocol;

public sealed class RespWriterTests
{
    [Fact]
    public void Writes_a_command_as_an_array_of_bulk_strings()
    {
        var output = new ArrayBufferWriter<byte>();

        RespWriter.WriteCommand(output, ["SET", "ключ", new byte[] { 0, 13, 10 }, -42L]);

        Assert.Equal("*4\r\n$3\r\nSET\r\n$8\r\nключ\r\n$3\r\n\0\r\n\r\n$3\r\n-42\r\n",
            Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Large_arguments_are_written_whole()
    {
        var output = new ArrayBufferWriter<byte>(16);
        var text = new string('x', 100_000);

        RespWriter.WriteCommand(output, ["ECHO", text]);

        Assert.Equal($"*2\r\n$4\r\nECHO\r\n$100000\r\n{text}\r\n", Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void A_null_argument_is_rejected_before_anything_is_written()
    {
        string? missing = null;

        Assert.Throws<ArgumentException>(() => RespWriter.Validate(["GET", missing]));
        Assert.Throws<ArgumentException>(() => RespWriter.Validate([]));
    }
}
