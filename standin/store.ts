/**
 * The stand-in's database: one SQLite file (`dnn.sqlite`, Node's built-in node:sqlite) in the
 * data folder, with tables named and shaped like DNN's (a subset of their columns):
 * HostSettings, Portals, PortalAlias, PortalSettings, Users, UserPortals, Roles, UserRoles,
 * JsonWebTokens (the JWT module's table) and ApiTokens (DNN 10).
 *
 * Beside it a `web.config` holds `<machineKey decryptionKey="...">`, as on a DNN site: the
 * passphrase of the setting encryption. The salt is the HostSettings `GUID` row.
 * Both are created once; a restart with the same folder keeps every row.
 *
 * Simplifications (documented, not DNN): portal names live in Portals (DNN keeps them in
 * PortalLocalization); user passwords are PBKDF2-SHA256 hashes in Users (DNN keeps them in
 * the ASP.NET membership tables).
 */
import { pbkdf2Sync, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { decryptAES, encryptAES } from "./crypto.js";

/** Setting holding the encrypted SMTP password, in both scopes. */
export const SMTP_PASSWORD = "SMTPPassword";
/** Root site: portal 0, alias path "" (i.e. `/`). */
export const ROOT_PORTAL_ID = 0;
/** Child site: portal 1, alias path "shop" (i.e. `/shop`). */
export const SHOP_PORTAL_ID = 1;
/** First portal id of the optional extra child sites `site1..siteN` (see `Store`'s `extraSites`). */
export const FIRST_EXTRA_PORTAL_ID = 2;

export interface Portal {
  portalId: number;
  portalName: string;
  email: string;
  guid: string;
  /** First path segment of the alias, lower case; "" for the root site. */
  aliasPath: string;
}

export interface UserRow {
  userId: number;
  username: string;
  email: string;
  displayName: string;
  isSuperUser: boolean;
  lastPasswordChangeDate: string;
}

export interface PersistedToken {
  tokenId: string;
  userId: number;
  tokenExpiry: number;
  renewalExpiry: number;
  tokenHash: string;
  renewalHash: string;
}

export interface ApiTokenRow {
  apiTokenId: number;
  scope: number;
  portalId: number;
  createdByUserId: number;
  expiresOn: number;
  isRevoked: boolean;
}

/** One settings row as the inspection dump shows it (SMTPPassword and OAuth client secrets decrypted). */
export interface DumpRow {
  SettingName: string;
  SettingValue: string;
  /** The value as stored (cipher text for SMTPPassword and `SMTPOAuth_*_ClientSecret`). */
  StoredValue: string;
}

export interface DumpPortalRow extends DumpRow {
  PortalID: number;
  CultureCode: string | null;
}

/** Everything a test needs to assert what DNN would hold. */
export interface StoreDump {
  HostSettings: DumpRow[];
  PortalSettings: DumpPortalRow[];
  /** HostSettings as a name → decrypted value map. */
  host: Record<string, string>;
  /** PortalSettings per PortalID as name → decrypted value maps. */
  portals: Record<number, Record<string, string>>;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS HostSettings (
  SettingName TEXT PRIMARY KEY, SettingValue TEXT, SettingIsSecure INTEGER NOT NULL DEFAULT 0,
  CreatedByUserID INTEGER, CreatedOnDate TEXT, LastModifiedByUserID INTEGER, LastModifiedOnDate TEXT);
CREATE TABLE IF NOT EXISTS Portals (
  PortalID INTEGER PRIMARY KEY, PortalName TEXT NOT NULL, Email TEXT, GUID TEXT NOT NULL,
  CreatedOnDate TEXT);
CREATE TABLE IF NOT EXISTS PortalAlias (
  PortalAliasID INTEGER PRIMARY KEY AUTOINCREMENT, PortalID INTEGER NOT NULL, HTTPAlias TEXT NOT NULL,
  IsPrimary INTEGER NOT NULL DEFAULT 1, CreatedOnDate TEXT);
CREATE TABLE IF NOT EXISTS PortalSettings (
  PortalSettingID INTEGER PRIMARY KEY AUTOINCREMENT, PortalID INTEGER NOT NULL, SettingName TEXT NOT NULL,
  SettingValue TEXT, CultureCode TEXT, CreatedByUserID INTEGER, CreatedOnDate TEXT,
  LastModifiedByUserID INTEGER, LastModifiedOnDate TEXT);
CREATE TABLE IF NOT EXISTS Users (
  UserID INTEGER PRIMARY KEY AUTOINCREMENT, Username TEXT NOT NULL UNIQUE COLLATE NOCASE,
  FirstName TEXT, LastName TEXT, IsSuperUser INTEGER NOT NULL DEFAULT 0, Email TEXT, DisplayName TEXT,
  IsDeleted INTEGER NOT NULL DEFAULT 0, PasswordHash TEXT, PasswordSalt TEXT,
  LastPasswordChangeDate TEXT, CreatedOnDate TEXT);
CREATE TABLE IF NOT EXISTS UserPortals (
  UserPortalId INTEGER PRIMARY KEY AUTOINCREMENT, UserId INTEGER NOT NULL, PortalId INTEGER NOT NULL,
  Authorised INTEGER NOT NULL DEFAULT 1, IsDeleted INTEGER NOT NULL DEFAULT 0, UNIQUE(UserId, PortalId));
CREATE TABLE IF NOT EXISTS Roles (
  RoleID INTEGER PRIMARY KEY AUTOINCREMENT, PortalID INTEGER NOT NULL, RoleName TEXT NOT NULL,
  UNIQUE(PortalID, RoleName));
CREATE TABLE IF NOT EXISTS UserRoles (
  UserRoleID INTEGER PRIMARY KEY AUTOINCREMENT, UserID INTEGER NOT NULL, RoleID INTEGER NOT NULL,
  UNIQUE(UserID, RoleID));
CREATE TABLE IF NOT EXISTS JsonWebTokens (
  TokenId TEXT PRIMARY KEY, UserId INTEGER NOT NULL, TokenExpiry INTEGER NOT NULL,
  RenewalExpiry INTEGER NOT NULL, TokenHash TEXT NOT NULL, RenewalHash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ApiTokens (
  ApiTokenId INTEGER PRIMARY KEY AUTOINCREMENT, TokenHash TEXT NOT NULL UNIQUE, Scope INTEGER NOT NULL,
  PortalId INTEGER NOT NULL, Description TEXT, CreatedByUserId INTEGER NOT NULL,
  ExpiresOn INTEGER NOT NULL, IsRevoked INTEGER NOT NULL DEFAULT 0, CreatedOnDate TEXT);
`;

/** Host settings a fresh DNN install has for mail (the installer leaves SMTP unset). */
const SEED_HOST_SETTINGS: Record<string, string> = {
  HostEmail: "host@example.com",
  SMTPServer: "",
  SMTPAuthentication: "0",
  SMTPEnableSSL: "N",
  SMTPUsername: "",
  MessageSchedulerBatchSize: "50",
};

const SEED_PORTALS: Array<Omit<Portal, "guid">> = [
  { portalId: ROOT_PORTAL_ID, portalName: "My Website", email: "site@example.com", aliasPath: "" },
  { portalId: SHOP_PORTAL_ID, portalName: "Shop", email: "shop@example.com", aliasPath: "shop" },
];

const USER_HASH_ITERATIONS = 10_000;

function hashUserPassword(password: string, salt: string): string {
  return pbkdf2Sync(password, salt, USER_HASH_ITERATIONS, 32, "sha256").toString("base64");
}

/** Mail provider names of web.config's `<dotnetnuke><mail defaultProvider=...>`. */
export type MailProviderName = "CoreMailProvider" | "MailKitMailProvider";

function webConfigText(): string {
  const hex = () => randomBytes(32).toString("hex").toUpperCase();
  return `<configuration>
  <system.web>
    <machineKey validationKey="${hex()}" decryptionKey="${hex()}" decryption="AES" validation="SHA1" />
  </system.web>
  <dotnetnuke>
    <mail defaultProvider="CoreMailProvider">
      <providers>
        <add name="CoreMailProvider" type="DotNetNuke.Services.Mail.CoreMailProvider, DotNetNuke" hideCoreSettings="false" />
        <add name="MailKitMailProvider" type="DotNetNuke.Services.Mail.MailKitMailProvider, DotNetNuke" hideCoreSettings="false" />
      </providers>
    </mail>
  </dotnetnuke>
</configuration>
`;
}

type Row = Record<string, unknown>;

export class Store {
  readonly db: DatabaseSync;
  /** The machineKey decryptionKey: the encryption passphrase. */
  readonly decryptionKey: string;
  readonly #now: () => number;
  readonly #webConfig: string;

  /**
   * @param extraSites child sites `site1..siteN` to add beside the root site and `/shop`
   *   (portal ids 2..N+1, aliases `/site1`...; default 0), so benchmarks and tests can
   *   target many distinct sites. Missing ones are added on every open.
   */
  constructor(dataDir: string, now: () => number, extraSites = 0) {
    if (!Number.isInteger(extraSites) || extraSites < 0)
      throw new Error(`extraSites must be an integer >= 0; got ${extraSites}`);
    mkdirSync(dataDir, { recursive: true });
    this.#now = now;
    this.#webConfig = join(dataDir, "web.config");
    if (!existsSync(this.#webConfig)) writeFileSync(this.#webConfig, webConfigText());
    const match = /decryptionKey="([^"]+)"/.exec(readFileSync(this.#webConfig, "utf8"));
    if (!match?.[1]) throw new Error(`no machineKey decryptionKey in ${this.#webConfig}`);
    this.decryptionKey = match[1];
    this.db = new DatabaseSync(join(dataDir, "dnn.sqlite"));
    this.db.exec("PRAGMA journal_mode = WAL;");
    this.db.exec(SCHEMA);
    this.#seed();
    this.#seedExtraSites(extraSites);
    this.#portals = undefined;
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  #stamp(): string {
    return new Date(this.#now()).toISOString();
  }

  #seed(): void {
    if (this.getHostSetting("GUID") !== undefined) return;
    this.#upsertHost("GUID", randomUUID(), -1);
    for (const [name, value] of Object.entries(SEED_HOST_SETTINGS))
      this.#upsertHost(name, value, -1);
    for (const p of SEED_PORTALS) {
      this.db
        .prepare(
          "INSERT INTO Portals (PortalID, PortalName, Email, GUID, CreatedOnDate) VALUES (?, ?, ?, ?, ?)",
        )
        .run(p.portalId, p.portalName, p.email, randomUUID(), this.#stamp());
      this.db
        .prepare("INSERT INTO PortalAlias (PortalID, HTTPAlias, CreatedOnDate) VALUES (?, ?, ?)")
        .run(p.portalId, p.aliasPath ? `127.0.0.1/${p.aliasPath}` : "127.0.0.1", this.#stamp());
      for (const role of ["Administrators", "Registered Users"]) {
        this.db
          .prepare("INSERT INTO Roles (PortalID, RoleName) VALUES (?, ?)")
          .run(p.portalId, role);
      }
    }
  }

  /** Adds the child sites `site1..siteN` that are missing (portal ids 2..N+1), as #seed adds its own. */
  #seedExtraSites(count: number): void {
    const exists = this.db.prepare("SELECT 1 FROM Portals WHERE PortalID = ?");
    const portal = this.db.prepare(
      "INSERT INTO Portals (PortalID, PortalName, Email, GUID, CreatedOnDate) VALUES (?, ?, ?, ?, ?)",
    );
    const alias = this.db.prepare(
      "INSERT INTO PortalAlias (PortalID, HTTPAlias, CreatedOnDate) VALUES (?, ?, ?)",
    );
    const role = this.db.prepare("INSERT INTO Roles (PortalID, RoleName) VALUES (?, ?)");
    this.db.exec("BEGIN");
    try {
      for (let i = 1; i <= count; i++) {
        const portalId = FIRST_EXTRA_PORTAL_ID + i - 1;
        if (exists.get(portalId)) continue;
        portal.run(portalId, `Site ${i}`, `site${i}@example.com`, randomUUID(), this.#stamp());
        alias.run(portalId, `127.0.0.1/site${i}`, this.#stamp());
        for (const name of ["Administrators", "Registered Users"]) role.run(portalId, name);
      }
      this.db.exec("COMMIT");
    } catch (err) {
      this.db.exec("ROLLBACK");
      throw err;
    }
  }

  /** web.config's default mail provider (DNN switches it to MailKit when OAuth is chosen). */
  get mailProvider(): MailProviderName {
    const match = /<mail defaultProvider="([^"]+)"/.exec(readFileSync(this.#webConfig, "utf8"));
    return match?.[1] === "MailKitMailProvider" ? "MailKitMailProvider" : "CoreMailProvider";
  }

  set mailProvider(name: MailProviderName) {
    const text = readFileSync(this.#webConfig, "utf8");
    writeFileSync(
      this.#webConfig,
      text.replace(/<mail defaultProvider="[^"]*"/, `<mail defaultProvider="${name}"`),
    );
  }

  /** The default mail provider's `hideCoreSettings` attribute in web.config (false when absent). */
  get hideCoreSettings(): boolean {
    const text = readFileSync(this.#webConfig, "utf8");
    const tag = new RegExp(`<add name="${this.mailProvider}"[^>]*>`).exec(text)?.[0] ?? "";
    return /hideCoreSettings="true"/i.test(tag);
  }

  // ---- administrator role per site (PortalSettings.AdministratorRoleName) ----------------

  /** Default administrator role of a DNN site. */
  static readonly DEFAULT_ADMIN_ROLE = "Administrators";
  readonly #adminRoles = new Map<number, string>();

  /** The site's administrator role name (DNN's AdministratorRoleName; default "Administrators"). */
  adminRoleName(portalId: number): string {
    return this.#adminRoles.get(portalId) ?? Store.DEFAULT_ADMIN_ROLE;
  }

  /** Sets the site's administrator role (creates the role when missing). */
  setAdminRoleName(portalId: number, roleName: string): void {
    if (roleName.trim() === "") throw new Error("the administrator role name must not be empty");
    this.#ensureRole(portalId, roleName);
    this.#adminRoles.set(portalId, roleName);
  }

  #ensureRole(portalId: number, roleName: string): void {
    this.db
      .prepare("INSERT OR IGNORE INTO Roles (PortalID, RoleName) VALUES (?, ?)")
      .run(portalId, roleName);
  }

  /** The host GUID: the salt of the setting encryption. */
  get hostGuid(): string {
    return this.getHostSetting("GUID") ?? "";
  }

  // ---- host settings -------------------------------------------------------------------

  getHostSetting(name: string): string | undefined {
    const row = this.db
      .prepare("SELECT SettingValue FROM HostSettings WHERE SettingName = ? COLLATE NOCASE")
      .get(name) as Row | undefined;
    return row ? String(row.SettingValue ?? "") : undefined;
  }

  #upsertHost(name: string, value: string, userId: number, secure = false): void {
    const stamp = this.#stamp();
    this.db
      .prepare(
        `INSERT INTO HostSettings (SettingName, SettingValue, SettingIsSecure, CreatedByUserID, CreatedOnDate,
           LastModifiedByUserID, LastModifiedOnDate) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(SettingName) DO UPDATE SET SettingValue = excluded.SettingValue,
           SettingIsSecure = excluded.SettingIsSecure,
           LastModifiedByUserID = excluded.LastModifiedByUserID, LastModifiedOnDate = excluded.LastModifiedOnDate`,
      )
      .run(name, value, secure ? 1 : 0, userId, stamp, userId, stamp);
  }

  setHostSetting(name: string, value: string, userId: number): void {
    this.#upsertHost(name, value, userId);
  }

  /** HostController.UpdateEncryptedString. */
  setHostEncrypted(name: string, plain: string, userId: number): void {
    this.#upsertHost(name, this.encrypt(plain), userId, true);
  }

  /** HostController.GetEncryptedString: "" when absent. Throws when it does not decrypt. */
  getHostEncrypted(name: string): string {
    const stored = this.getHostSetting(name);
    return stored ? this.decrypt(stored) : "";
  }

  // ---- portal settings -----------------------------------------------------------------

  getPortalSetting(portalId: number, name: string): string | undefined {
    const row = this.db
      .prepare(
        `SELECT SettingValue FROM PortalSettings WHERE PortalID = ? AND SettingName = ? COLLATE NOCASE
         AND (CultureCode IS NULL OR CultureCode = '') ORDER BY PortalSettingID DESC LIMIT 1`,
      )
      .get(portalId, name) as Row | undefined;
    return row ? String(row.SettingValue ?? "") : undefined;
  }

  /** PortalController.UpdatePortalSetting with the neutral culture (CultureCode NULL). */
  setPortalSetting(portalId: number, name: string, value: string, userId: number): void {
    const stamp = this.#stamp();
    const updated = this.db
      .prepare(
        `UPDATE PortalSettings SET SettingValue = ?, LastModifiedByUserID = ?, LastModifiedOnDate = ?
         WHERE PortalID = ? AND SettingName = ? COLLATE NOCASE AND (CultureCode IS NULL OR CultureCode = '')`,
      )
      .run(value, userId, stamp, portalId, name);
    if (Number(updated.changes) > 0) return;
    this.db
      .prepare(
        `INSERT INTO PortalSettings (PortalID, SettingName, SettingValue, CultureCode, CreatedByUserID,
           CreatedOnDate, LastModifiedByUserID, LastModifiedOnDate) VALUES (?, ?, ?, NULL, ?, ?, ?, ?)`,
      )
      .run(portalId, name, value, userId, stamp, userId, stamp);
  }

  /** PortalController.UpdateEncryptedString (salt = host GUID, as in DNN). */
  setPortalEncrypted(portalId: number, name: string, plain: string, userId: number): void {
    this.setPortalSetting(portalId, name, this.encrypt(plain), userId);
  }

  getPortalEncrypted(portalId: number, name: string): string {
    const stored = this.getPortalSetting(portalId, name);
    return stored ? this.decrypt(stored) : "";
  }

  encrypt(plain: string): string {
    return encryptAES(plain, this.decryptionKey, this.hostGuid);
  }

  decrypt(cipher: string): string {
    return decryptAES(cipher, this.decryptionKey, this.hostGuid);
  }

  // ---- portals -------------------------------------------------------------------------

  // Sites change only while the store seeds them; every request looks them up.
  #portals: Portal[] | undefined;

  portals(): Portal[] {
    this.#portals ??= this.#loadPortals();
    return this.#portals;
  }

  #loadPortals(): Portal[] {
    const rows = this.db
      .prepare(
        `SELECT p.PortalID, p.PortalName, p.Email, p.GUID, a.HTTPAlias FROM Portals p
         JOIN PortalAlias a ON a.PortalID = p.PortalID AND a.IsPrimary = 1 ORDER BY p.PortalID`,
      )
      .all() as Row[];
    return rows.map((r) => {
      const alias = String(r.HTTPAlias);
      const slash = alias.indexOf("/");
      return {
        portalId: Number(r.PortalID),
        portalName: String(r.PortalName),
        email: String(r.Email ?? ""),
        guid: String(r.GUID),
        aliasPath: slash < 0 ? "" : alias.slice(slash + 1).toLowerCase(),
      };
    });
  }

  portal(portalId: number): Portal | undefined {
    return this.portals().find((p) => p.portalId === portalId);
  }

  /** Rewrites the host part of every alias to the address the server listens on. */
  updateAliasHost(hostAndPort: string): void {
    for (const p of this.portals()) {
      const alias = p.aliasPath ? `${hostAndPort}/${p.aliasPath}` : hostAndPort;
      this.db
        .prepare("UPDATE PortalAlias SET HTTPAlias = ? WHERE PortalID = ?")
        .run(alias, p.portalId);
    }
    this.#portals = undefined;
  }

  // ---- users and roles -----------------------------------------------------------------

  #userFrom(row: Row | undefined): UserRow | undefined {
    if (!row) return undefined;
    return {
      userId: Number(row.UserID),
      username: String(row.Username),
      email: String(row.Email ?? ""),
      displayName: String(row.DisplayName ?? row.Username),
      isSuperUser: Number(row.IsSuperUser) === 1,
      lastPasswordChangeDate: String(row.LastPasswordChangeDate ?? ""),
    };
  }

  userByName(username: string): UserRow | undefined {
    return this.#userFrom(
      this.db.prepare("SELECT * FROM Users WHERE Username = ? AND IsDeleted = 0").get(username) as
        | Row
        | undefined,
    );
  }

  userById(userId: number): UserRow | undefined {
    return this.#userFrom(
      this.db.prepare("SELECT * FROM Users WHERE UserID = ? AND IsDeleted = 0").get(userId) as
        | Row
        | undefined,
    );
  }

  /**
   * Creates or updates a user. Superusers belong to no portal (as in DNN); others are
   * members of `portalId` and, with `admin`, of its administrator role (`adminRoleName`),
   * and of any further `roles` (created when missing).
   */
  upsertUser(u: {
    username: string;
    password: string;
    email: string;
    superuser?: boolean;
    portalId?: number;
    admin?: boolean;
    roles?: string[];
  }): UserRow {
    const stamp = this.#stamp();
    const existing = this.userByName(u.username);
    // Keep the hash (and LastPasswordChangeDate, part of DNN's JWT secret) when unchanged.
    const samePassword =
      existing !== undefined && this.verifyPassword(u.username, u.password) !== undefined;
    const salt = randomBytes(16).toString("base64");
    const hash = hashUserPassword(u.password, salt);
    if (existing && samePassword) {
      this.db
        .prepare("UPDATE Users SET Email = ?, IsSuperUser = ? WHERE UserID = ?")
        .run(u.email, u.superuser ? 1 : 0, existing.userId);
    } else if (existing) {
      this.db
        .prepare(
          `UPDATE Users SET Email = ?, IsSuperUser = ?, PasswordHash = ?, PasswordSalt = ?,
             LastPasswordChangeDate = ? WHERE UserID = ?`,
        )
        .run(u.email, u.superuser ? 1 : 0, hash, salt, stamp, existing.userId);
    } else {
      this.db
        .prepare(
          `INSERT INTO Users (Username, FirstName, LastName, IsSuperUser, Email, DisplayName, PasswordHash,
             PasswordSalt, LastPasswordChangeDate, CreatedOnDate) VALUES (?, ?, '', ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          u.username,
          u.username,
          u.superuser ? 1 : 0,
          u.email,
          u.username,
          hash,
          salt,
          stamp,
          stamp,
        );
    }
    const user = this.userByName(u.username);
    if (!user) throw new Error(`user ${u.username} was not stored`);
    if (!u.superuser)
      this.#addToPortal(user.userId, u.portalId ?? ROOT_PORTAL_ID, u.admin === true, u.roles ?? []);
    return user;
  }

  #addToPortal(userId: number, portalId: number, admin: boolean, extra: string[]): void {
    this.db
      .prepare("INSERT OR IGNORE INTO UserPortals (UserId, PortalId) VALUES (?, ?)")
      .run(userId, portalId);
    const roles = ["Registered Users", ...(admin ? [this.adminRoleName(portalId)] : []), ...extra];
    for (const role of roles) {
      this.#ensureRole(portalId, role);
      this.db
        .prepare(
          `INSERT OR IGNORE INTO UserRoles (UserID, RoleID)
           SELECT ?, RoleID FROM Roles WHERE PortalID = ? AND RoleName = ?`,
        )
        .run(userId, portalId, role);
    }
  }

  verifyPassword(username: string, password: string): UserRow | undefined {
    const row = this.db
      .prepare("SELECT * FROM Users WHERE Username = ? AND IsDeleted = 0")
      .get(username) as Row | undefined;
    if (!row) return undefined;
    const expected = Buffer.from(String(row.PasswordHash), "base64");
    const actual = Buffer.from(hashUserPassword(password, String(row.PasswordSalt)), "base64");
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
    return this.#userFrom(row);
  }

  /** Whether the user exists on that site (superusers exist on every site). */
  userOnPortal(user: UserRow, portalId: number): boolean {
    if (user.isSuperUser) return true;
    const row = this.db
      .prepare("SELECT 1 FROM UserPortals WHERE UserId = ? AND PortalId = ? AND IsDeleted = 0")
      .get(user.userId, portalId);
    return row !== undefined;
  }

  isInRole(userId: number, portalId: number, roleName: string): boolean {
    const row = this.db
      .prepare(
        `SELECT 1 FROM UserRoles ur JOIN Roles r ON r.RoleID = ur.RoleID
         WHERE ur.UserID = ? AND r.PortalID = ? AND r.RoleName = ?`,
      )
      .get(userId, portalId, roleName);
    return row !== undefined;
  }

  rolesOf(userId: number, portalId: number): string[] {
    const rows = this.db
      .prepare(
        `SELECT r.RoleName FROM UserRoles ur JOIN Roles r ON r.RoleID = ur.RoleID
         WHERE ur.UserID = ? AND r.PortalID = ?`,
      )
      .all(userId, portalId) as Row[];
    return rows.map((r) => String(r.RoleName));
  }

  // ---- JWT tokens ----------------------------------------------------------------------

  addToken(t: PersistedToken): void {
    this.db
      .prepare(
        `INSERT INTO JsonWebTokens (TokenId, UserId, TokenExpiry, RenewalExpiry, TokenHash, RenewalHash)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(t.tokenId, t.userId, t.tokenExpiry, t.renewalExpiry, t.tokenHash, t.renewalHash);
  }

  getToken(tokenId: string): PersistedToken | undefined {
    const r = this.db.prepare("SELECT * FROM JsonWebTokens WHERE TokenId = ?").get(tokenId) as
      | Row
      | undefined;
    if (!r) return undefined;
    return {
      tokenId: String(r.TokenId),
      userId: Number(r.UserId),
      tokenExpiry: Number(r.TokenExpiry),
      renewalExpiry: Number(r.RenewalExpiry),
      tokenHash: String(r.TokenHash),
      renewalHash: String(r.RenewalHash),
    };
  }

  updateToken(t: PersistedToken): void {
    this.db
      .prepare("UPDATE JsonWebTokens SET TokenExpiry = ?, TokenHash = ? WHERE TokenId = ?")
      .run(t.tokenExpiry, t.tokenHash, t.tokenId);
  }

  deleteToken(tokenId: string): void {
    this.db.prepare("DELETE FROM JsonWebTokens WHERE TokenId = ?").run(tokenId);
  }

  /** Makes every access token already expired (fault injection: forced token expiry). */
  expireAllTokens(at: number): void {
    this.db.prepare("UPDATE JsonWebTokens SET TokenExpiry = ?").run(at);
  }

  // ---- API tokens (DNN 10) -------------------------------------------------------------

  addApiToken(t: Omit<ApiTokenRow, "apiTokenId" | "isRevoked"> & { tokenHash: string }): number {
    const r = this.db
      .prepare(
        `INSERT INTO ApiTokens (TokenHash, Scope, PortalId, CreatedByUserId, ExpiresOn, CreatedOnDate)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(t.tokenHash, t.scope, t.portalId, t.createdByUserId, t.expiresOn, this.#stamp());
    return Number(r.lastInsertRowid);
  }

  apiTokenByHash(tokenHash: string): ApiTokenRow | undefined {
    const r = this.db.prepare("SELECT * FROM ApiTokens WHERE TokenHash = ?").get(tokenHash) as
      | Row
      | undefined;
    if (!r) return undefined;
    return {
      apiTokenId: Number(r.ApiTokenId),
      scope: Number(r.Scope),
      portalId: Number(r.PortalId),
      createdByUserId: Number(r.CreatedByUserId),
      expiresOn: Number(r.ExpiresOn),
      isRevoked: Number(r.IsRevoked) === 1,
    };
  }

  // ---- inspection ----------------------------------------------------------------------

  /** Names whose stored value is cipher text: SMTPPassword and the OAuth providers' secrets. */
  static isEncryptedSetting(name: string): boolean {
    const lower = name.toLowerCase();
    return lower === SMTP_PASSWORD.toLowerCase() || /^smtpoauth_.+_clientsecret$/.test(lower);
  }

  #plain(name: string, stored: string): string {
    if (!Store.isEncryptedSetting(name) || stored === "") return stored;
    try {
      return this.decrypt(stored);
    } catch {
      return stored; // not cipher text (should not happen): show what is stored
    }
  }

  /** All HostSettings and PortalSettings rows, SMTPPassword and OAuth client secrets decrypted. */
  dump(): StoreDump {
    const hostRows = this.db
      .prepare("SELECT SettingName, SettingValue FROM HostSettings ORDER BY SettingName")
      .all() as Row[];
    const portalRows = this.db
      .prepare(
        `SELECT PortalID, SettingName, SettingValue, CultureCode FROM PortalSettings
         ORDER BY PortalID, SettingName`,
      )
      .all() as Row[];
    const HostSettings = hostRows.map((r) => {
      const stored = String(r.SettingValue ?? "");
      const SettingName = String(r.SettingName);
      return { SettingName, SettingValue: this.#plain(SettingName, stored), StoredValue: stored };
    });
    const PortalSettings = portalRows.map((r) => {
      const stored = String(r.SettingValue ?? "");
      const SettingName = String(r.SettingName);
      return {
        PortalID: Number(r.PortalID),
        SettingName,
        SettingValue: this.#plain(SettingName, stored),
        StoredValue: stored,
        CultureCode: r.CultureCode == null ? null : String(r.CultureCode),
      };
    });
    const host = Object.fromEntries(HostSettings.map((r) => [r.SettingName, r.SettingValue]));
    const portals: Record<number, Record<string, string>> = {};
    for (const p of this.portals()) portals[p.portalId] = {};
    for (const r of PortalSettings) {
      portals[r.PortalID] ??= {};
      (portals[r.PortalID] as Record<string, string>)[r.SettingName] = r.SettingValue;
    }
    return { HostSettings, PortalSettings, host, portals };
  }
}
