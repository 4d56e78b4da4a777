/**
 * SendTestEmail's mail: sent for real, through the settings in the request, the way DNN's
 * mail providers would (contract section 7):
 *
 * - core provider (System.Net.Mail), auth types 0/1/2: never implicit TLS (`secure: false`,
 *   so port 465 times out waiting for a greeting as in DNN); EnableSSL = STARTTLS required,
 *   otherwise never attempted; basic auth = LOGIN, only when both user name and password
 *   are set; NTLM would use the app pool's Windows identity, which the stand-in does not have.
 * - MailKit provider, auth type 3 (OAuth): implicit TLS on 465, otherwise STARTTLS when
 *   offered; XOAUTH2 with the provider's access token.
 *
 * Returns DNN's `errMessage`: "" on success, otherwise the reason.
 */
import nodemailer from "nodemailer";

/** Connection, greeting and socket timeout: bounds SendTestEmail (milliseconds). */
export const MAIL_TIMEOUT_MS = 10_000;
/** Port used when the server string has none. */
export const DEFAULT_SMTP_PORT = 25;
/** DNN's check of the server string before sending. */
const SERVER_PATTERN = /^[^:]+(:[0-9]{1,5})?$/;

export interface SmtpTlsOptions {
  /** Extra CA certificates to trust (tests' self-signed certs). */
  ca?: string | Buffer | Array<string | Buffer>;
  rejectUnauthorized?: boolean;
}

export interface TestMail {
  server: string;
  /** SMTPAuthentication as text: "0" anonymous, "1" basic, "2" NTLM, "3" OAuth. */
  authentication: string;
  username: string;
  password: string;
  enableSsl: boolean;
  from: string;
  to: string;
  subject: string;
  /** XOAUTH2 access token for auth type 3 (from the OAuth provider). */
  oauthAccessToken?: string;
  /** web.config's default mail provider; OAuth always goes through MailKit. */
  provider?: "CoreMailProvider" | "MailKitMailProvider";
}

/** DNN's resource text when the server configuration is unusable. */
export const SMTP_CONFIGURATION_PROBLEM =
  "There is a problem with the configuration of your SMTP Server. Mail was not sent.";

function parseServer(server: string): { host: string; port: number } | undefined {
  const trimmed = server.trim();
  if (!SERVER_PATTERN.test(trimmed)) return undefined;
  const [host = "", portText] = trimmed.split(":");
  const port = portText === undefined ? DEFAULT_SMTP_PORT : Number(portText);
  return port >= 1 && port <= 65535 ? { host, port } : undefined;
}

function transportOptions(mail: TestMail, host: string, port: number, tls: SmtpTlsOptions) {
  const base = {
    host,
    port,
    connectionTimeout: MAIL_TIMEOUT_MS,
    greetingTimeout: MAIL_TIMEOUT_MS,
    socketTimeout: MAIL_TIMEOUT_MS,
    dnsTimeout: MAIL_TIMEOUT_MS,
    tls: { ...tls },
  };
  if (mail.authentication === "3") {
    return {
      ...base,
      secure: port === 465,
      auth: {
        type: "OAuth2" as const,
        user: mail.username,
        accessToken: mail.oauthAccessToken ?? "",
      },
    };
  }
  const hasCredentials = mail.username !== "" && mail.password !== "";
  if (mail.provider === "MailKitMailProvider") {
    // MailKit ignores EnableSSL: implicit TLS on 465, otherwise STARTTLS when offered.
    return {
      ...base,
      secure: port === 465,
      ...(mail.authentication === "1" && hasCredentials
        ? { auth: { user: mail.username, pass: mail.password } }
        : {}),
    };
  }
  const useLogin = mail.authentication === "1" && hasCredentials;
  return {
    ...base,
    secure: false,
    requireTLS: mail.enableSsl,
    ignoreTLS: !mail.enableSsl,
    ...(useLogin
      ? { auth: { user: mail.username, pass: mail.password }, authMethod: "LOGIN" }
      : {}),
  };
}

/** Sends the test mail; resolves to "" on success or the error message. Never rejects. */
export async function sendTestMail(mail: TestMail, tls: SmtpTlsOptions = {}): Promise<string> {
  const target = parseServer(mail.server);
  if (!target) return SMTP_CONFIGURATION_PROBLEM;
  if (mail.authentication === "2" && mail.provider === "MailKitMailProvider") {
    return "NTLM authentication is not supported by the MailKit mail provider.";
  }
  if (mail.authentication === "2") {
    return `${SMTP_CONFIGURATION_PROBLEM} NTLM uses the Windows identity of the site's application pool, which the stand-in does not have.`;
  }
  const transport = nodemailer.createTransport(
    transportOptions(mail, target.host, target.port, tls),
  );
  try {
    await transport.sendMail({
      from: mail.from,
      to: mail.to,
      subject: mail.subject,
      text: "",
    });
    return "";
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    transport.close();
  }
}
