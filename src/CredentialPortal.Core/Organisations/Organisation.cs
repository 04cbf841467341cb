namespace CredentialPortal.Core.Organisations;

/// <summary>A member organisation whose systems receive API credentials.</summary>
public sealed class Organisation
{
    public const int MaxNameLength = 100;

    public int Id { get; set; }

    private string _name = "";

    /// <summary>Display name; also the OrganisationName part of application names (<see cref="OrganisationName"/>).</summary>
    public required string Name
    {
        get => _name;
        set
        {
            _name = value;
            NormalizedName = OrganisationName.Key(value);
        }
    }

    /// <summary>The name's <see cref="OrganisationName.Key"/>, unique: names differing only in case or spacing collide.</summary>
    public string NormalizedName { get; private set; } = "";

    /// <summary>ISO 3166-1 alpha-2 country code, upper case.</summary>
    public required string CountryCode { get; set; }

    /// <summary>An inactive organisation's applications get no tokens and its users cannot sign in.</summary>
    public bool IsActive { get; set; } = true;

    /// <summary>
    /// The operating organisation: the one the first administrator was created in (<c>Bootstrap:OrganisationName</c>).
    /// Administrators administer every organisation, so only its users may be made administrator unless the operator
    /// allows partners' users too (<see cref="PortalOptions.AllowPartnerAdministrators"/>).
    /// </summary>
    public bool IsOperator { get; set; }

    public DateTime CreatedAt { get; set; }

    public List<Applications.Application> Applications { get; } = [];
}
