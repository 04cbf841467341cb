using System.Buffers.Binary;
using System.Buffers.Text;
using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace CredentialPortal.Testing.Account;

/// <summary>
/// A WebAuthn authenticator in the test process, for HTTP-level tests: one ES256 passkey (user-verifying, discoverable)
/// that answers the portal's creation and request options the way a browser's <c>navigator.credentials.create()</c> /
/// <c>get()</c> followed by <c>toJSON()</c> does, with attestation "none". The origin and relying party id it reports
/// can be set wrong on purpose.
/// </summary>
public sealed class SoftwarePasskey : IDisposable
{
    private const byte UserPresent = 0x01, UserVerified = 0x04, AttestedCredentialData = 0x40;

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private uint _signCount;

    public byte[] CredentialId { get; } = RandomNumberGenerator.GetBytes(32);
    public string Id => Base64Url.EncodeToString(CredentialId);

    /// <summary>The user handle the portal gave at registration (its user id), returned with every assertion.</summary>
    public byte[]? UserHandle { get; private set; }

    /// <summary>Answers creation options (JSON) with the JSON of a new credential.</summary>
    public string Create(string creationOptionsJson, string origin = "http://localhost", string? rpId = null)
    {
        var options = JsonNode.Parse(creationOptionsJson)!;
        UserHandle = Base64Url.DecodeFromChars(options["user"]!["id"]!.GetValue<string>());
        var clientData = ClientData("webauthn.create", options["challenge"]!.GetValue<string>(), origin);
        var authenticatorData = AuthenticatorData(rpId ?? options["rp"]!["id"]!.GetValue<string>(), UserPresent | UserVerified | AttestedCredentialData,
            AttestedCredential());
        var attestation = new CborWriter(CborConformanceMode.Ctap2Canonical);
        attestation.WriteStartMap(3);
        attestation.WriteTextString("fmt");
        attestation.WriteTextString("none");
        attestation.WriteTextString("attStmt");
        attestation.WriteStartMap(0);
        attestation.WriteEndMap();
        attestation.WriteTextString("authData");
        attestation.WriteByteString(authenticatorData);
        attestation.WriteEndMap();
        return Credential(new JsonObject
        {
            ["clientDataJSON"] = Base64Url.EncodeToString(clientData),
            ["attestationObject"] = Base64Url.EncodeToString(attestation.Encode()),
            ["transports"] = new JsonArray("internal"),
        });
    }

    /// <summary>Answers request options (JSON) with the JSON of an assertion signed by this passkey.</summary>
    public string Get(string requestOptionsJson, string origin = "http://localhost", string? rpId = null)
    {
        var options = JsonNode.Parse(requestOptionsJson)!;
        var clientData = ClientData("webauthn.get", options["challenge"]!.GetValue<string>(), origin);
        var authenticatorData = AuthenticatorData(rpId ?? options["rpId"]!.GetValue<string>(), UserPresent | UserVerified, []);
        var signature = _key.SignData([.. authenticatorData, .. SHA256.HashData(clientData)], HashAlgorithmName.SHA256,
            DSASignatureFormat.Rfc3279DerSequence);
        return Credential(new JsonObject
        {
            ["clientDataJSON"] = Base64Url.EncodeToString(clientData),
            ["authenticatorData"] = Base64Url.EncodeToString(authenticatorData),
            ["signature"] = Base64Url.EncodeToString(signature),
            ["userHandle"] = UserHandle is null ? null : Base64Url.EncodeToString(UserHandle),
        });
    }

    private string Credential(JsonObject response) => new JsonObject
    {
        ["id"] = Id,
        ["rawId"] = Id,
        ["type"] = "public-key",
        ["authenticatorAttachment"] = "platform",
        ["clientExtensionResults"] = new JsonObject(),
        ["response"] = response,
    }.ToJsonString();

    private static byte[] ClientData(string type, string challenge, string origin) =>
        Encoding.UTF8.GetBytes(new JsonObject { ["type"] = type, ["challenge"] = challenge, ["origin"] = origin, ["crossOrigin"] = false }.ToJsonString());

    /// <summary>rpIdHash, flags, a counter that goes up with every use, and the attested credential when registering.</summary>
    private byte[] AuthenticatorData(string rpId, int flags, byte[] attestedCredential)
    {
        var counter = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(counter, ++_signCount);
        return [.. SHA256.HashData(Encoding.UTF8.GetBytes(rpId)), (byte)flags, .. counter, .. attestedCredential];
    }

    /// <summary>AAGUID (zeros), the credential id and the public key as a COSE EC2 key (ES256, P-256).</summary>
    private byte[] AttestedCredential()
    {
        var point = _key.ExportParameters(false).Q;
        var cose = new CborWriter(CborConformanceMode.Ctap2Canonical);
        cose.WriteStartMap(5);
        cose.WriteInt32(1); // kty: EC2
        cose.WriteInt32(2);
        cose.WriteInt32(3); // alg: ES256
        cose.WriteInt32(-7);
        cose.WriteInt32(-1); // crv: P-256
        cose.WriteInt32(1);
        cose.WriteInt32(-2);
        cose.WriteByteString(point.X!);
        cose.WriteInt32(-3);
        cose.WriteByteString(point.Y!);
        cose.WriteEndMap();
        var length = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(length, (ushort)CredentialId.Length);
        return [.. new byte[16], .. length, .. CredentialId, .. cose.Encode()];
    }

    public void Dispose() => _key.Dispose();
}
