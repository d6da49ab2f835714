using MessagePack;
using MessagePack.Resolvers;

namespace E2eeChat.Server.MsgPack;

/// <summary>
/// The one MessagePack setup of the hub, the twin of <see cref="Json.WireJson"/>: the same camelCase names,
/// nulls left out where JSON leaves them out, Guids as strings, enums as camelCase strings; only content
/// differs, as bytes (msgpack bin) instead of base64. Domain records get a formatter here; the server's own
/// contracts carry <see cref="KeyAttribute"/>s. Anything without either is refused rather than guessed.
/// </summary>
public static class WireMessagePack
{
    public static MessagePackSerializerOptions Options { get; } = MessagePackSerializerOptions.Standard
        .WithResolver(CompositeResolver.Create(WireFormatterResolver.Instance, StandardResolver.Instance))
        .WithSecurity(MessagePackSecurity.UntrustedData);
}
