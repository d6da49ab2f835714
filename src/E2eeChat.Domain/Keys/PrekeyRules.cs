using System.Globalization;
using E2eeChat.Domain.Common;
using E2eeChat.Domain.Errors;

namespace E2eeChat.Domain.Keys;

/// <summary>What an upload must look like, in libsignal's serialized sizes; every refusal names the key.</summary>
public static class PrekeyRules
{
    /// <summary>A serialized EC public key: type byte 0x05 and a Curve25519 point.</summary>
    public const int EcPublicKeyLength = 33;

    /// <summary>A serialized Kyber (ML-KEM-1024) public key: type byte and 1568 bytes.</summary>
    public const int KyberPublicKeyLength = 1569;

    /// <summary>An XEdDSA signature by the account's identity key over the serialized public key.</summary>
    public const int SignatureLength = 64;

    public const int MaxKeysPerList = 100;

    /// <summary>Checks an upload and decodes it, or throws <c>invalid_prekey</c> naming the first bad key.</summary>
    public static PrekeyUpload Validate(UploadPrekeys request, int maxStoredOneTimeKeys)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request is { SignedPreKey: null, PqLastResortPreKey: null, PreKeys: null, PqPreKeys: null })
        {
            throw DomainException.BadRequest(ErrorCodes.InvalidRequest,
                "The upload names no keys: give signedPreKey, pqLastResortPreKey, preKeys or pqPreKeys.");
        }
        var signedPreKey = request.SignedPreKey is null
            ? null
            : Key(request.SignedPreKey, "signedPreKey", EcPublicKeyLength, signed: true);
        var lastResort = request.PqLastResortPreKey is null
            ? null
            : Key(request.PqLastResortPreKey, "pqLastResortPreKey", KyberPublicKeyLength, signed: true);
        var preKeys = List(request.PreKeys, "preKeys", EcPublicKeyLength, signed: false, maxStoredOneTimeKeys, null);
        // libsignal keeps one-time and last-resort Kyber prekeys in one store, under one id space.
        var pqPreKeys = List(request.PqPreKeys, "pqPreKeys", KyberPublicKeyLength, signed: true, maxStoredOneTimeKeys,
            lastResort?.KeyId);
        return new PrekeyUpload(signedPreKey, lastResort, preKeys, pqPreKeys);
    }

    /// <summary>
    /// Checks that the signed prekey, the last-resort Kyber prekey and every one-time Kyber prekey of
    /// <paramref name="upload"/> carry the identity key's signature of their serialized public key, as
    /// libsignal's <c>processPreKeyBundle</c> will; throws <c>invalid_signature</c> (422) naming the first that does not.
    /// </summary>
    public static void VerifySignatures(PrekeyUpload upload, IIdentityKeyVerifier identityKey)
    {
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(identityKey);
        Verify(upload.SignedPreKey, "signedPreKey", identityKey);
        Verify(upload.PqLastResortPreKey, "pqLastResortPreKey", identityKey);
        if (upload.PqPreKeys is { } pqPreKeys)
        {
            for (var i = 0; i < pqPreKeys.Count; i++)
            {
                Verify(pqPreKeys[i], $"pqPreKeys[{i}]", identityKey);
            }
        }
    }

    /// <summary>A device in a bundle path: a device id, or <c>*</c> (null) for every device.</summary>
    public static int? ParseDeviceSelector(string? value)
    {
        if (value == "*")
        {
            return null;
        }
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var deviceId) && deviceId >= 1)
        {
            return deviceId;
        }
        throw DomainException.BadRequest(ErrorCodes.InvalidDeviceId, "The device must be a device id (1, 2, …) or *.");
    }

    private static Prekey[]? List(IReadOnlyList<PrekeyInput?>? inputs, string field, int keyLength, bool signed,
        int maxStored, int? lastResortId)
    {
        if (inputs is null)
        {
            return null;
        }
        if (inputs.Count > MaxKeysPerList)
        {
            throw Invalid($"{field} holds {inputs.Count} keys; at most {MaxKeysPerList} per upload.");
        }
        if (inputs.Count > maxStored)
        {
            throw DomainException.BadRequest(ErrorCodes.TooManyPrekeys,
                $"{field} holds {inputs.Count} keys; a device may store at most {maxStored} of each kind.");
        }
        var keys = new Prekey[inputs.Count];
        var ids = new HashSet<int>(inputs.Count);
        for (var i = 0; i < keys.Length; i++)
        {
            var name = $"{field}[{i}]";
            var key = Key(inputs[i], name, keyLength, signed);
            if (!ids.Add(key.KeyId))
            {
                throw Invalid($"{name}.keyId {key.KeyId} appears more than once in {field}.");
            }
            if (key.KeyId == lastResortId)
            {
                throw Invalid($"{name}.keyId {key.KeyId} is also pqLastResortPreKey's id; Kyber prekey ids must differ.");
            }
            keys[i] = key;
        }
        return keys;
    }

    private static Prekey Key(PrekeyInput? input, string field, int keyLength, bool signed)
    {
        if (input is null)
        {
            throw Invalid($"{field} must be a key: {{keyId, publicKey{(signed ? ", signature" : string.Empty)}}}.");
        }
        if (input.KeyId is not (>= 0 and <= int.MaxValue))
        {
            throw Invalid($"{field}.keyId must be an integer from 0 to {int.MaxValue}.");
        }
        var publicKey = Base64Field.Decode(input.PublicKey, $"{field}.publicKey", keyLength, ErrorCodes.InvalidPrekey);
        byte[]? signature = null;
        if (signed)
        {
            signature = Base64Field.Decode(input.Signature, $"{field}.signature", SignatureLength, ErrorCodes.InvalidPrekey);
        }
        else if (input.Signature is not null)
        {
            throw Invalid($"{field}.signature must be absent: one-time EC prekeys are not signed.");
        }
        return new Prekey((int)input.KeyId.Value, publicKey, signature);
    }

    private static void Verify(Prekey? key, string field, IIdentityKeyVerifier identityKey)
    {
        if (key is not null && !identityKey.Verify(key.PublicKey, key.Signature))
        {
            throw new DomainException(ErrorKind.UnprocessableEntity, ErrorCodes.InvalidSignature,
                $"{field}.signature is not the account identity key's signature of {field}.publicKey.");
        }
    }

    private static DomainException Invalid(string detail) => DomainException.BadRequest(ErrorCodes.InvalidPrekey, detail);
}
