/**
 * Fake SMTP OAuth providers for the newest API (G3), shaped like DNN's ISmtpOAuthProvider:
 * ExchangeOnline and GoogleMail. Their settings live in HostSettings (host scope) or
 * PortalSettings (site scope) under `SMTPOAuth_<Provider>_<Setting>`; secure ones are
 * encrypted like SMTPPassword and come back decrypted, as in DNN.
 *
 * Authorization needs an interactive consent in DNN. Here the consent is the stand-in's
 * `authorizeUrl` (GET marks the provider authorized) or `POST /_standin/oauth`; saving
 * changed settings withdraws it, since a new client id/secret needs a new consent.
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
    const lower = new Map(Object.entries(values).map(([k, v]) => [k.toLowerCase(), v]));
    const errors: string[] = [];
    let changed = false;
    for (const s of def.settings) {
      const key = `SMTPOAuth_${name}_${s.name}`;
      const next = lower.get(s.name.toLowerCase()) ?? this.#get(portalId, key, s.isSecure);
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
}
