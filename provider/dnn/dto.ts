/**
 * DNN's SendTestEmail body and answer, as plain types: the DNN client sends them and the
 * precheck's `via: "dnn"` port speaks them, so they are declared once, here.
 */

/** The body of DNN's SendTestEmail (Persona Bar): the settings to test, not the stored ones. */
export interface SendTestEmailRequest {
  /** "h" tests as host settings (sender HostEmail), "p" as the site's (sender: the site's email). */
  readonly smtpServerMode: "h" | "p";
  readonly smtpServer: string;
  /** 0 anonymous, 1 basic, 2 NTLM, 3 OAuth. */
  readonly smtpAuthentication: number;
  readonly smtpUsername: string;
  /** The real password: never "*****" (DNN would substitute a stored password). */
  readonly smtpPassword: string;
  readonly enableSmtpSsl: boolean;
  readonly authProvider?: string;
}

/** SendTestEmail's answer: 200 on success, 400 with the mail error otherwise. */
export interface SendTestEmailResponse {
  readonly success: boolean;
  readonly errMessage: string;
  readonly confirmationMessage: string;
}
