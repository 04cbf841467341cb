namespace CredentialPortal.Core.DataProtection;

/// <summary>One XML element of the ASP.NET Core Data Protection key ring, shared by all instances.</summary>
public sealed class DataProtectionKey
{
    public int Id { get; set; }
    public string? FriendlyName { get; set; }
    public required string Xml { get; set; }
}
