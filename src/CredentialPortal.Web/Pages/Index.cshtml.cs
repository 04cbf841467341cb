using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CredentialPortal.Web.Pages;

public sealed class IndexModel : PageModel;
