using E2eeChat.LoadTest.Payload;

namespace E2eeChat.LoadTest.Hub;

/// <summary>An envelope as a receiving device sees it: only what the measurements need.</summary>
/// <param name="IsOurs">The content starts with this tool's header; when false, <paramref name="Header"/> is empty.</param>
/// <param name="ContentLength">Decoded content bytes.</param>
internal readonly record struct ArrivedEnvelope(Guid Id, int DestinationDeviceId, PayloadHeader Header, bool IsOurs, int ContentLength);
