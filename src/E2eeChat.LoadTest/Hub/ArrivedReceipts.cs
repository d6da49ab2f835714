namespace E2eeChat.LoadTest.Hub;

/// <summary>A <c>Receipts</c> event as a sending device sees it: only how many receipts it carries.</summary>
internal readonly record struct ArrivedReceipts(int Count);
