using BenchmarkDotNet.Attributes;
using E2eeChat.Domain.Security;

namespace E2eeChat.Benchmarks;

/// <summary>One login's worth of hashing at the default cost: 1 / Mean is hashes per second per core.</summary>
[MemoryDiagnoser]
public class Argon2idBenchmarks
{
    private readonly PasswordHasher _hasher = new(new PasswordHashingOptions());

    [Benchmark]
    public string HashAtDefaults() => _hasher.Hash("correct horse battery staple");
}
