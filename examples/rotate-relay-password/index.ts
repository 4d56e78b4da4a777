/**
 * Rotating a relay password without a window where DNN and the relay disagree:
 *
 *   RandomPassword (keepers: rotation) -> RelayAccount (the relay learns the new password)
 *     -> SmtpSettings (the precheck logs in with the new pair, then DNN is written)
 *
 * Change the config value `rotation` (e.g. to this month, `2026-12`) and run `pulumi up`:
 * the keepers make RandomPassword generate a new password; the relay account is updated
 * first (keeping the previous password valid for the moment in between); the precheck proves
 * the new user/password pair on the relay; only then DNN's global settings are written. If
 * the relay does not accept the new pair, `pulumi up` stops before DNN is touched.
 *
 * Stack config:
 *   dnn:url, dnn:username, dnn:password (secret)   the DNN root site and a superuser
 *   relay            the relay, host:port (STARTTLS)
 *   relayUser        the relay login DNN uses
 *   relayUsersFile   the relay's users file (see relay-account.ts)
 *   rotation         any text; changing it rotates the password
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { SmtpSettings } from "pulumi-dnn-smtp";
import { RelayAccount } from "./relay-account";

const config = new pulumi.Config();

const password = new random.RandomPassword("relay-password", {
  length: 32,
  // Letters and digits only: some relays and DNN's UI trip over quotes and spaces.
  special: false,
  keepers: { rotation: config.require("rotation") },
});

const account = new RelayAccount("relay-account", {
  usersFile: config.require("relayUsersFile"),
  username: config.require("relayUser"),
  password: password.result,
});

// The password comes from the relay account's output, so DNN is written after the relay.
const smtp = new SmtpSettings("global", {
  scope: "global",
  server: config.require("relay"),
  authentication: "basic",
  username: account.username,
  password: account.password,
  enableSsl: true,
  // Prove the new pair (a real AUTH on the relay) before anything is written to DNN.
  precheck: { level: "auth" },
});

export const rotation = config.require("rotation");
export const relayServer = smtp.server;
export const precheck = smtp.precheckSummary;
