using BenchmarkDotNet.Attributes;
using E2eeChat.Signal.Curve;

namespace E2eeChat.Benchmarks;

/// <summary>
/// One XEdDSA signature checked and made. A full key upload checks up to 102 (signed prekey,
/// last-resort key, 100 one-time Kyber keys); a delivery certificate costs one signature.
/// </summary>
[MemoryDiagnoser]
public class XEdDsaBenchmarks
{
    private readonly Curve25519KeyPair _key = Curve25519KeyPair.Generate();
    private readonly byte[] _kyberKey = new byte[1569];
    private byte[] _signature = [];
    private XEdDsaPublicKey? _prepared;

    [GlobalSetup]
    public void Setup()
    {
        Random.Shared.NextBytes(_kyberKey);
        _kyberKey[0] = 0x08;
        _signature = _key.Sign(_kyberKey);
        _prepared = XEdDsaPublicKey.TryCreate(_key.PublicKey);
    }

    /// <summary>With the key's Montgomery → Edwards map, as for one signature alone.</summary>
    [Benchmark]
    public bool VerifyKyberPrekeySignature() => XEdDsa.Verify(_key.PublicKey, _kyberKey, _signature);

    /// <summary>With the key already prepared, as for the second and later signatures of an upload.</summary>
    [Benchmark]
    public bool VerifyWithPreparedKey() => _prepared!.Verify(_kyberKey, _signature);

    [Benchmark]
    public byte[] SignKyberPrekey() => _key.Sign(_kyberKey);
}
