using CredentialPortal.Core.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace CredentialPortal.Migrations.Sqlite.Migrations;

/// <summary>The initial schema: everything in the first release.</summary>
[DbContext(typeof(CredentialPortalDbContext))]
[Migration("20261123000001_Initial")]
public sealed class InitialSchema : SqlScriptMigration;
