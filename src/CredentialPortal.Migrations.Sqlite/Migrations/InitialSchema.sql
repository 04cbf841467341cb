CREATE TABLE "AuditEvents" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_AuditEvents" PRIMARY KEY AUTOINCREMENT,
    "OccurredAt" TEXT NOT NULL,
    "EventType" TEXT NOT NULL,
    "Actor" TEXT NOT NULL,
    "ActorUserId" TEXT NULL,
    "RemoteAddress" TEXT NULL,
    "OrganisationId" INTEGER NULL,
    "ApplicationId" INTEGER NULL,
    "SecretId" INTEGER NULL,
    "Details" TEXT NULL
);


CREATE TABLE "CredentialChanges" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_CredentialChanges" PRIMARY KEY AUTOINCREMENT,
    "ApplicationId" INTEGER NOT NULL,
    "ChangedAt" TEXT NOT NULL
);


CREATE TABLE "DataProtectionKeys" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_DataProtectionKeys" PRIMARY KEY AUTOINCREMENT,
    "FriendlyName" TEXT NULL,
    "Xml" TEXT NOT NULL
);


CREATE TABLE "Organisations" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_Organisations" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "CountryCode" TEXT NOT NULL,
    "IsActive" INTEGER NOT NULL,
    "CreatedAt" TEXT NOT NULL
);


CREATE TABLE "Roles" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Roles" PRIMARY KEY,
    "Name" TEXT NULL,
    "NormalizedName" TEXT NULL,
    "ConcurrencyStamp" TEXT NULL
);


CREATE TABLE "SigningKeys" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_SigningKeys" PRIMARY KEY,
    "Algorithm" TEXT NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "ActivatesAt" TEXT NOT NULL,
    "RetiresAt" TEXT NOT NULL,
    "UnpublishAt" TEXT NOT NULL,
    "ProtectedPrivateKey" TEXT NOT NULL,
    "PublicJwk" TEXT NOT NULL
);


CREATE TABLE "Applications" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_Applications" PRIMARY KEY AUTOINCREMENT,
    "ClientId" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "OrganisationId" INTEGER NOT NULL,
    "ApiCode" TEXT NOT NULL,
    "IsSandboxOnly" INTEGER NOT NULL,
    "IsActive" INTEGER NOT NULL,
    "SecretLimit" INTEGER NOT NULL,
    "AllowSelfRotation" INTEGER NOT NULL,
    "IsAdminAutomationClient" INTEGER NOT NULL,
    "NotificationEmails" TEXT NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "LastUsedAt" TEXT NULL,
    "Version" TEXT NOT NULL,
    CONSTRAINT "FK_Applications_Organisations_OrganisationId" FOREIGN KEY ("OrganisationId") REFERENCES "Organisations" ("Id") ON DELETE RESTRICT
);


CREATE TABLE "Users" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Users" PRIMARY KEY,
    "DisplayName" TEXT NOT NULL,
    "OrganisationId" INTEGER NOT NULL,
    "IsDisabled" INTEGER NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "InvitedAt" TEXT NULL,
    "LastSignInAt" TEXT NULL,
    "LastTotpTimeStep" INTEGER NOT NULL,
    "UserName" TEXT NULL,
    "NormalizedUserName" TEXT NULL,
    "Email" TEXT NULL,
    "NormalizedEmail" TEXT NULL,
    "EmailConfirmed" INTEGER NOT NULL,
    "PasswordHash" TEXT NULL,
    "SecurityStamp" TEXT NULL,
    "ConcurrencyStamp" TEXT NULL,
    "PhoneNumber" TEXT NULL,
    "PhoneNumberConfirmed" INTEGER NOT NULL,
    "TwoFactorEnabled" INTEGER NOT NULL,
    "LockoutEnd" TEXT NULL,
    "LockoutEnabled" INTEGER NOT NULL,
    "AccessFailedCount" INTEGER NOT NULL,
    CONSTRAINT "FK_Users_Organisations_OrganisationId" FOREIGN KEY ("OrganisationId") REFERENCES "Organisations" ("Id") ON DELETE RESTRICT
);


CREATE TABLE "RoleClaims" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_RoleClaims" PRIMARY KEY AUTOINCREMENT,
    "RoleId" TEXT NOT NULL,
    "ClaimType" TEXT NULL,
    "ClaimValue" TEXT NULL,
    CONSTRAINT "FK_RoleClaims_Roles_RoleId" FOREIGN KEY ("RoleId") REFERENCES "Roles" ("Id") ON DELETE CASCADE
);


CREATE TABLE "ApplicationPermissions" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_ApplicationPermissions" PRIMARY KEY AUTOINCREMENT,
    "ApplicationId" INTEGER NOT NULL,
    "Api" TEXT NOT NULL,
    "Environment" INTEGER NOT NULL,
    CONSTRAINT "FK_ApplicationPermissions_Applications_ApplicationId" FOREIGN KEY ("ApplicationId") REFERENCES "Applications" ("Id") ON DELETE CASCADE
);


CREATE TABLE "ClientSecrets" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_ClientSecrets" PRIMARY KEY AUTOINCREMENT,
    "ApplicationId" INTEGER NOT NULL,
    "Name" TEXT NOT NULL,
    "Hash" BLOB NOT NULL,
    "Hint" TEXT NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "CreatedBy" TEXT NOT NULL,
    "ExpiresAt" TEXT NOT NULL,
    "DisabledAt" TEXT NULL,
    "DisabledBy" TEXT NULL,
    "LastUsedAt" TEXT NULL,
    CONSTRAINT "FK_ClientSecrets_Applications_ApplicationId" FOREIGN KEY ("ApplicationId") REFERENCES "Applications" ("Id") ON DELETE CASCADE
);


CREATE TABLE "CredentialManagers" (
    "UserId" TEXT NOT NULL,
    "ApplicationId" INTEGER NOT NULL,
    "AssignedAt" TEXT NOT NULL,
    "AssignedBy" TEXT NOT NULL,
    CONSTRAINT "PK_CredentialManagers" PRIMARY KEY ("UserId", "ApplicationId"),
    CONSTRAINT "FK_CredentialManagers_Applications_ApplicationId" FOREIGN KEY ("ApplicationId") REFERENCES "Applications" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_CredentialManagers_Users_UserId" FOREIGN KEY ("UserId") REFERENCES "Users" ("Id") ON DELETE CASCADE
);


CREATE TABLE "UserClaims" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_UserClaims" PRIMARY KEY AUTOINCREMENT,
    "UserId" TEXT NOT NULL,
    "ClaimType" TEXT NULL,
    "ClaimValue" TEXT NULL,
    CONSTRAINT "FK_UserClaims_Users_UserId" FOREIGN KEY ("UserId") REFERENCES "Users" ("Id") ON DELETE CASCADE
);


CREATE TABLE "UserLogins" (
    "LoginProvider" TEXT NOT NULL,
    "ProviderKey" TEXT NOT NULL,
    "ProviderDisplayName" TEXT NULL,
    "UserId" TEXT NOT NULL,
    CONSTRAINT "PK_UserLogins" PRIMARY KEY ("LoginProvider", "ProviderKey"),
    CONSTRAINT "FK_UserLogins_Users_UserId" FOREIGN KEY ("UserId") REFERENCES "Users" ("Id") ON DELETE CASCADE
);


CREATE TABLE "UserRoles" (
    "UserId" TEXT NOT NULL,
    "RoleId" TEXT NOT NULL,
    CONSTRAINT "PK_UserRoles" PRIMARY KEY ("UserId", "RoleId"),
    CONSTRAINT "FK_UserRoles_Roles_RoleId" FOREIGN KEY ("RoleId") REFERENCES "Roles" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_UserRoles_Users_UserId" FOREIGN KEY ("UserId") REFERENCES "Users" ("Id") ON DELETE CASCADE
);


CREATE TABLE "UserTokens" (
    "UserId" TEXT NOT NULL,
    "LoginProvider" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Value" TEXT NULL,
    CONSTRAINT "PK_UserTokens" PRIMARY KEY ("UserId", "LoginProvider", "Name"),
    CONSTRAINT "FK_UserTokens_Users_UserId" FOREIGN KEY ("UserId") REFERENCES "Users" ("Id") ON DELETE CASCADE
);


CREATE TABLE "ReminderDeliveries" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_ReminderDeliveries" PRIMARY KEY AUTOINCREMENT,
    "SecretId" INTEGER NOT NULL,
    "Slot" TEXT NOT NULL,
    "Status" INTEGER NOT NULL,
    "CreatedAt" TEXT NOT NULL,
    "Attempts" INTEGER NOT NULL,
    "NextAttemptAt" TEXT NOT NULL,
    "ClaimedBy" TEXT NULL,
    "ClaimedUntil" TEXT NULL,
    "SentAt" TEXT NULL,
    "LastError" TEXT NULL,
    CONSTRAINT "FK_ReminderDeliveries_ClientSecrets_SecretId" FOREIGN KEY ("SecretId") REFERENCES "ClientSecrets" ("Id") ON DELETE CASCADE
);


CREATE UNIQUE INDEX "IX_ApplicationPermissions_ApplicationId_Api_Environment" ON "ApplicationPermissions" ("ApplicationId", "Api", "Environment");


CREATE UNIQUE INDEX "IX_Applications_ClientId" ON "Applications" ("ClientId");


CREATE UNIQUE INDEX "IX_Applications_Name" ON "Applications" ("Name");


CREATE INDEX "IX_Applications_OrganisationId" ON "Applications" ("OrganisationId");


CREATE INDEX "IX_AuditEvents_ApplicationId_OccurredAt" ON "AuditEvents" ("ApplicationId", "OccurredAt");


CREATE INDEX "IX_AuditEvents_EventType_OccurredAt" ON "AuditEvents" ("EventType", "OccurredAt");


CREATE INDEX "IX_AuditEvents_OccurredAt" ON "AuditEvents" ("OccurredAt");


CREATE INDEX "IX_AuditEvents_OrganisationId_OccurredAt" ON "AuditEvents" ("OrganisationId", "OccurredAt");


CREATE INDEX "IX_ClientSecrets_ApplicationId" ON "ClientSecrets" ("ApplicationId");


CREATE INDEX "IX_ClientSecrets_ExpiresAt" ON "ClientSecrets" ("ExpiresAt");


CREATE INDEX "IX_CredentialChanges_ChangedAt" ON "CredentialChanges" ("ChangedAt");


CREATE INDEX "IX_CredentialManagers_ApplicationId" ON "CredentialManagers" ("ApplicationId");


CREATE UNIQUE INDEX "IX_Organisations_Name" ON "Organisations" ("Name");


CREATE UNIQUE INDEX "IX_ReminderDeliveries_SecretId_Slot" ON "ReminderDeliveries" ("SecretId", "Slot");


CREATE INDEX "IX_ReminderDeliveries_Status_NextAttemptAt" ON "ReminderDeliveries" ("Status", "NextAttemptAt");


CREATE INDEX "IX_RoleClaims_RoleId" ON "RoleClaims" ("RoleId");


CREATE UNIQUE INDEX "IX_Roles_NormalizedName" ON "Roles" ("NormalizedName");


CREATE INDEX "IX_UserClaims_UserId" ON "UserClaims" ("UserId");


CREATE INDEX "IX_UserLogins_UserId" ON "UserLogins" ("UserId");


CREATE INDEX "IX_UserRoles_RoleId" ON "UserRoles" ("RoleId");


CREATE UNIQUE INDEX "IX_Users_NormalizedEmail" ON "Users" ("NormalizedEmail");


CREATE UNIQUE INDEX "IX_Users_NormalizedUserName" ON "Users" ("NormalizedUserName");


CREATE INDEX "IX_Users_OrganisationId" ON "Users" ("OrganisationId");



