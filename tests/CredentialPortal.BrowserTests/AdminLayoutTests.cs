namespace CredentialPortal.BrowserTests;

/// <summary>Issue 19 item 6: every list an administrator uses fits a phone and a laptop without sideways scrolling.</summary>
public sealed class AdminLayoutTests
{
    public static readonly int[] Widths = [390, 1280];

    [Fact]
    public async Task Every_admin_list_fits_390_and_1280_pixels_without_scrolling_sideways()
    {
        await using var admin = await AdminBrowser.StartAsync();
        var lists = new[]
        {
            ("/admin", "admin-dashboard"),
            ("/admin/organisations", "admin-organisations"),
            ("/admin/applications", "admin-applications"),
            ("/admin/users", "admin-users"),
            ("/admin/audit", "admin-audit"),
            ("/manage-api-credentials", "credentials"),
            ($"/manage-api-credentials/{admin.ApplicationIds[0]}/history", "credentials-history"),
        };
        var overflowing = new List<string>();
        foreach (var width in Widths)
        {
            await admin.Page.SetViewportSizeAsync(width, 900);
            foreach (var (path, name) in lists)
            {
                await admin.GotoAsync(path);
                var (scrollWidth, viewport) = await MeasureAsync(admin);
                await Browser.ScreenshotAsync(admin.Page, $"{name}-{width}");
                if (scrollWidth > viewport)
                {
                    overflowing.Add($"{path} at {width} px: the page is {scrollWidth} px wide");
                }

                // Issue 29 item 6: short tokens in tables keep whole: an inline element on two lines has two boxes.
                overflowing.AddRange((await admin.Page.EvaluateAsync<string[]>("""
                    [...document.querySelectorAll('td .badge, td time, td.nowrap, .row-actions a, .row-actions button')]
                        .filter(e => e.getClientRects().length > 1).map(e => e.textContent.trim())
                    """)).Select(text => $"{path} at {width} px: '{text}' breaks across lines"));
                overflowing.AddRange((await admin.Page.EvaluateAsync<string[]>("""
                    [...document.querySelectorAll('thead th')].filter(th => {
                        const range = document.createRange();
                        range.selectNodeContents(th);
                        const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                        return lines.size > th.textContent.trim().split(/\s+/).length;
                    }).map(th => th.textContent.trim())
                    """)).Select(text => $"{path} at {width} px: the heading '{text}' breaks inside a word"));
            }
        }

        Assert.True(overflowing.Count == 0, string.Join("\n", overflowing));
    }

    private static async Task<(int ScrollWidth, int Viewport)> MeasureAsync(AdminBrowser admin)
    {
        var sizes = await admin.Page.EvaluateAsync<int[]>("[document.documentElement.scrollWidth, window.innerWidth]");
        return (sizes[0], sizes[1]);
    }
}
