using BenchmarkDotNet.Attributes;
using E2eeChat.Server.Auth.Passwords;

namespace E2eeChat.Benchmarks;

/// <summary>
/// One login's worth of hashing at the default cost (Argon2id through libsodium, m=19456 KiB, t=2, p=1):
/// 1 / Mean is password hashes, or logins, per second per core.
/// </summary>
[MemoryDiagnoser]
public class PasswordHashingBenchmarks
{
    private readonly SodiumPasswordHasher _hasher = new(new PasswordHashingOptions());
    private string _stored = string.Empty;

    [GlobalSetup]
    public void StoreOne() => _stored = _hasher.Hash("correct horse battery staple");

    [Benchmark]
    public string HashAtDefaults() => _hasher.Hash("correct horse battery staple");

    [Benchmark]
    public object VerifyAtDefaults() => _hasher.Verify("correct horse battery staple", _stored);
}
