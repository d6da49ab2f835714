using System.IO.Pipelines;

namespace E2eeChat.Scaleout.Tests.Fakes;

/// <summary>One side's view of a connection: what it reads and where it writes.</summary>
internal sealed record DuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;
