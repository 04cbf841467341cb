using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace CredentialPortal.TokenService.Signing;

/// <summary>
/// Issues compact JWS access tokens with one key. The protected header (<c>alg</c>, <c>kid</c>, <c>typ: at+jwt</c>)
/// is encoded once and IdentityModel's signature provider is created once per key, so a token costs its signature
/// plus a few buffer copies. <c>JsonWebTokenHandler.CreateToken</c> does the same work but re-encodes the header and
/// looks the provider up on every call, which measured 8 % of RS256 throughput (bench/token-endpoint.sh).
/// The provider lives as long as the key: it is never released, so the key under it is never disposed.
/// </summary>
public sealed class JwsSigner
{
    private const int MaxSignatureBytes = 512;

    private readonly byte[] _encodedHeader;
    private readonly SignatureProvider _provider;

    public JwsSigner(SigningCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var header = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["alg"] = credentials.Algorithm,
            ["kid"] = credentials.Key.KeyId,
            ["typ"] = "at+jwt",
        });
        _encodedHeader = Encoding.ASCII.GetBytes(Base64Url.EncodeToString(header) + ".");
        _provider = credentials.Key.CryptoProviderFactory.CreateForSigning(credentials.Key, credentials.Algorithm);
    }

    /// <summary>Signs the UTF-8 JSON claims and returns the compact serialisation.</summary>
    public string Sign(ReadOnlySpan<byte> payloadJson)
    {
        var signingInputLength = _encodedHeader.Length + Base64Url.GetEncodedLength(payloadJson.Length);
        var buffer = ArrayPool<byte>.Shared.Rent(signingInputLength + 1 + Base64Url.GetEncodedLength(MaxSignatureBytes) + MaxSignatureBytes);
        try
        {
            _encodedHeader.CopyTo(buffer, 0);
            Base64Url.EncodeToUtf8(payloadJson, buffer.AsSpan(_encodedHeader.Length), out _, out _);
            var signature = buffer.AsSpan(buffer.Length - MaxSignatureBytes);
            if (!_provider.Sign(buffer.AsSpan(0, signingInputLength), signature, out var signatureLength))
            {
                throw new InvalidOperationException("The signature does not fit its buffer.");
            }

            buffer[signingInputLength] = (byte)'.';
            Base64Url.EncodeToUtf8(signature[..signatureLength], buffer.AsSpan(signingInputLength + 1), out _, out var written);
            return Encoding.ASCII.GetString(buffer, 0, signingInputLength + 1 + written);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
