using E2eeChat.LoadTest.Hub;
using MessagePack;
using MessagePack.Resolvers;

namespace E2eeChat.LoadTest.Api;

/// <summary>
/// The tool's MessagePack setup, the twin of <see cref="LoadJson"/>: the server's camelCase keys, content as bin;
/// private resolvers because the tool's contracts are internal.
/// </summary>
internal static class LoadMessagePack
{
    public static MessagePackSerializerOptions Options { get; } = MessagePackSerializerOptions.Standard
        .WithResolver(CompositeResolver.Create([new ArrivedEnvelopeFormatter(), new ArrivedReceiptsFormatter()], [StandardResolverAllowPrivate.Instance]))
        .WithSecurity(MessagePackSecurity.UntrustedData);
}
