using System.Globalization;
using CredentialPortal.Core.Data;

// Used by bench/pages.sh:
//   seed {provider} {connection string} [applications]   fills an empty database (see PageSeed)
//   measure {base url} {label} [requests] [warm-up]       signs in as both users and times each list page
// "measure" prints one line per page and user: RESULT label user page p50_ms p95_ms. It times from the first requests
// after start, as the first users of a restarted portal see it; [warm-up] requests per page first (e.g. 40) give the
// steady state of a portal that has run for a while instead. EACH_REQUEST=1 also prints every request's time, in order.
switch (args)
{
    case ["seed", var provider, var connectionString, ..]:
        var applications = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 10_000;
        await PageSeed.RunAsync(Enum.Parse<DatabaseProvider>(provider), connectionString,
            new PageSeed.Scale(Organisations: 300, Applications: applications, SecretsPerApplication: 10, Users: 400, AuditEvents: applications * 50));
        return 0;
    case ["measure", var baseUrl, var label, ..]:
        var requests = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 30;
        string[] adminPages = ["/manage-api-credentials", "/admin", "/admin/organisations", "/admin/audit", "/admin/audit?page=200",
            "/admin/applications", "/admin/users"];
        string[] managerPages = ["/manage-api-credentials"];
        var users = new[] { ("administrator", PageSeed.AdminEmail, adminPages), ("manager", PageSeed.ManagerEmail, managerPages) };
        var timers = new List<(string User, PageTimer Timer, string[] Pages)>();
        foreach (var (user, email, pages) in users)
        {
            var timer = new PageTimer(new Uri(baseUrl));
            await timer.SignInAsync(email, PageSeed.Password);
            timers.Add((user, timer, pages));
        }

        // Optional warm-up: past 30 calls the runtime has compiled a page's code at the optimised tier.
        var warmUp = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 0;
        foreach (var (_, timer, pages) in timers)
        {
            foreach (var page in pages)
            {
                await timer.TimeAsync(page, warmUp, warmUp: 0);
            }
        }

        foreach (var (user, timer, pages) in timers)
        {
            foreach (var page in pages)
            {
                var times = await timer.TimeAsync(page, requests, warmUp: 0);
                Console.WriteLine($"RESULT {label} {user} {page} {PageTimer.Format(PageTimer.Percentile(times, 50))} {PageTimer.Format(PageTimer.Percentile(times, 95))}");
                if (Environment.GetEnvironmentVariable("EACH_REQUEST") == "1")
                {
                    Console.WriteLine($"EACH {label} {user} {page} {string.Join(' ', times.Select(PageTimer.Format))}");
                }
            }

            timer.Dispose();
        }

        return 0;
    default:
        Console.Error.WriteLine("usage: seed {Sqlite|PostgreSql} {connection string} [applications] | measure {base url} {label} [requests] [warm-up]");
        return 2;
}
