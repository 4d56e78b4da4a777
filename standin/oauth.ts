/**
 * Fake SMTP OAuth providers for DNN 9.13+ (versions.ts `oauth`), shaped like DNN's
 * ISmtpOAuthProvider: ExchangeOnline and GoogleMail. Their settings live in HostSettings
 * (host scope) or PortalSettings (site scope) under `SMTPOAuth_<Provider>_<Setting>`; secure
 * ones are encrypted like SMTPPassword and come back decrypted, as in DNN.
 *
 * As DNN's providers (ExchangeOnlineOAuthProvider / GoogleMailOAuthProvider.UpdateSettings):
 * only keys PRESENT in the map are compared and written (`settings.ContainsKey`, exact case),
 * absent keys keep their stored value; when anything changed the provider deletes its stored
 * authorization (DeleteSetting of `msauth_authentication` / the Google data store), so a
 * new consent is needed. Here that is the `SMTPOAuth_<Provider>_Authorized` row set to "N".
 *
 * Differences from DNN (on purpose, documented in standin/README.md): setting names are
 * TenantId/ClientId/ClientSecret (DNN: msauth_tenantId, ...; GoogleMail has an account
 * email instead of a tenant); DNN's providers never report errors, the fakes report missing
 * required settings so clients can exercise `{success:false, errors}`; consent is the
 * stand-in's `authorizeUrl` (GET marks it authorized) or `POST /_standin/oauth`.
 */
import type { Store } from "./store.js";

/** Portal id meaning "host scope" (Null.NullInteger in DNN). */
export const HOST_SCOPE = -1;

interface SettingDef {
  name: string;
  label: string;
  help: string;
  isSecure: boolean;
  isRequired: boolean;
}

interface ProviderDef {
  name: string;
  localizedName: string;
  settings: SettingDef[];
}

const PROVIDERS: ProviderDef[] = [
  {
    name: "ExchangeOnline",
    localizedName: "Exchange Online",
    settings: [
      {
        name: "TenantId",
        label: "Tenant ID",
        help: "The Microsoft Entra tenant.",
        isSecure: false,
        isRequired: true,
      },
      {
        name: "ClientId",
        label: "Client ID",
        help: "The application (client) id.",
        isSecure: false,
        isRequired: true,
      },
      {
        name: "ClientSecret",
        label: "Client Secret",
        help: "The client secret.",
        isSecure: true,
        isRequired: true,
      },
    ],
  },
  {
    name: "GoogleMail",
    localizedName: "Google Mail",
    settings: [
      {
        name: "ClientId",
        label: "Client ID",
        help: "The OAuth client id.",
        isSecure: false,
        isRequired: true,
      },
      {
        name: "ClientSecret",
        label: "Client Secret",
        help: "The OAuth client secret.",
        isSecure: true,
        isRequired: true,
      },
    ],
  },
];

export interface OAuthSettingView extends SettingDef {
  value: string;
}

export interface OAuthProviderView {
  name: string;
  localizedName: string;
  settings: OAuthSettingView[];
  isAuthorized: boolean;
  authorizeUrl: string;
}

export class OAuthProviders {
  readonly #store: Store;
  /** Base URL of the stand-in, for authorizeUrl. */
  readonly #baseUrl: () => string;

  constructor(store: Store, baseUrl: () => string) {
    this.#store = store;
    this.#baseUrl = baseUrl;
  }

  static names(): string[] {
    return PROVIDERS.map((p) => p.name);
  }

  #def(name: string): ProviderDef | undefined {
    return PROVIDERS.find((p) => p.name === name);
  }

  #get(portalId: number, key: string, secure: boolean): string {
    if (portalId === HOST_SCOPE) {
      return secure ? this.#store.getHostEncrypted(key) : (this.#store.getHostSetting(key) ?? "");
    }
    return secure
      ? this.#store.getPortalEncrypted(portalId, key)
      : (this.#store.getPortalSetting(portalId, key) ?? "");
  }

  #set(portalId: number, key: string, value: string, secure: boolean, userId: number): void {
    if (portalId === HOST_SCOPE) {
      if (secure) this.#store.setHostEncrypted(key, value, userId);
      else this.#store.setHostSetting(key, value, userId);
    } else if (secure) this.#store.setPortalEncrypted(portalId, key, value, userId);
    else this.#store.setPortalSetting(portalId, key, value, userId);
  }

  isAuthorized(name: string, portalId: number): boolean {
    return this.#get(portalId, `SMTPOAuth_${name}_Authorized`, false) === "Y";
  }

  setAuthorized(name: string, portalId: number, authorized: boolean): void {
    if (!this.#def(name)) throw new Error(`unknown OAuth provider ${name}`);
    this.#set(portalId, `SMTPOAuth_${name}_Authorized`, authorized ? "Y" : "N", false, -1);
  }

  /** The XOAUTH2 access token an authorized provider hands the MailKit provider. */
  accessToken(name: string, portalId: number): string | undefined {
    return this.isAuthorized(name, portalId) ? `standin-oauth-${name}-${portalId}` : undefined;
  }

  view(portalId: number): OAuthProviderView[] {
    return PROVIDERS.map((p) => ({
      name: p.name,
      localizedName: p.localizedName,
      settings: p.settings.map((s) => ({
        name: s.name,
        value: this.#get(portalId, `SMTPOAuth_${p.name}_${s.name}`, s.isSecure),
        label: s.label,
        help: s.help,
        isSecure: s.isSecure,
        isRequired: s.isRequired,
      })),
      isAuthorized: this.isAuthorized(p.name, portalId),
      authorizeUrl: `${this.#baseUrl()}/_standin/oauth/authorize?provider=${p.name}&portalId=${portalId}`,
    }));
  }

  /** True when the provider name is known (GetOAuthProvider returns non-null). */
  has(name: string): boolean {
    return this.#def(name) !== undefined;
  }

  /**
   * ISmtpOAuthProvider.UpdateSettings: stores the given settings; returns whether anything
   * changed, and the error messages (missing required settings).
   */
  updateSettings(
    name: string,
    portalId: number,
    values: Record<string, string>,
    userId: number,
  ): { changed: boolean; errors: string[] } {
    const def = this.#def(name);
    if (!def) return { changed: false, errors: [] };
    const errors: string[] = [];
    let changed = false;
    for (const s of def.settings) {
      const key = `SMTPOAuth_${name}_${s.name}`;
      // Dictionary<string, string>.ContainsKey: exact-case key; absent keeps the stored value.
      const given = Object.hasOwn(values, s.name) ? values[s.name] : undefined;
      const next = given ?? this.#get(portalId, key, s.isSecure);
      if (s.isRequired && next.trim() === "") {
        errors.push(`${s.label} is required.`);
        continue;
      }
      if (next !== this.#get(portalId, key, s.isSecure)) {
        this.#set(portalId, key, next, s.isSecure, userId);
        changed = true;
      }
    }
    if (changed) this.setAuthorized(name, portalId, false);
    return { changed, errors };
  }

  /**
   * Every provider's stored settings (secure ones decrypted) and consent, for one scope
   * (portalId -1 = host): `{ ExchangeOnline: { settings: {TenantId, ...}, authorized } }`.
   */
  snapshot(portalId: number): Record<string, OAuthSnapshot> {
    return Object.fromEntries(
      PROVIDERS.map((p) => [
        p.name,
        {
          settings: Object.fromEntries(
            p.settings.map((s) => [
              s.name,
              this.#get(portalId, `SMTPOAuth_${p.name}_${s.name}`, s.isSecure),
            ]),
          ),
          authorized: this.isAuthorized(p.name, portalId),
        },
      ]),
    );
  }
}

/** One provider's state in `dump().oauth`. */
export interface OAuthSnapshot {
  /** Setting name → stored value ("" when unset; secure values decrypted). */
  settings: Record<string, string>;
  /** Whether the consent is in place (withdrawn when the settings change). */
  authorized: boolean;
}
