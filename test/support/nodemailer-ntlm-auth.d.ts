// nodemailer-ntlm-auth ships no types: it is a nodemailer customAuth handler.
declare module "nodemailer-ntlm-auth" {
  import type SMTPConnection from "nodemailer/lib/smtp-connection";

  const ntlmAuth: SMTPConnection.CustomAuthenticationHandlers[string];
  export = ntlmAuth;
}
