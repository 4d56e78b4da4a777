/**
 * `RelayAccount`: one login of a local SMTP relay, kept in the relay's users file (JSON,
 * `{ "<user>": ["<password>", "<previous password>"] }`), which the relay reads at each
 * AUTH. It stands for whatever your relay offers (an admin API, a provider's SMTP
 * credentials, a Postfix sasldb): the example needs the relay side to be a resource too, so
 * that Pulumi orders "new password on the relay" before "new password in DNN".
 *
 * With `keepPrevious` (default true) the password being replaced stays valid until the next
 * change, so DNN can keep sending with it in the seconds between the two writes.
 */
import * as pulumi from "@pulumi/pulumi";

export interface RelayAccountArgs {
  /** The relay's users file (created when missing). */
  readonly usersFile: pulumi.Input<string>;
  readonly username: pulumi.Input<string>;
  /** Stored as a secret. */
  readonly password: pulumi.Input<string>;
  /** Keep accepting the password being replaced until the next change. Default true. */
  readonly keepPrevious?: pulumi.Input<boolean>;
}

interface AccountProps {
  usersFile: string;
  username: string;
  password: string;
  keepPrevious?: boolean;
}

type Users = Record<string, string[]>;

// The provider and these two functions are serialized into the state with each resource
// (the code, not a reference: this is a local module). They must capture nothing else, so
// modules are required inside the functions.

/** Writes the account; the old login goes away when the file or user name changed. */
function writeAccount(news: AccountProps, olds: AccountProps | undefined): void {
  const fs: typeof import("node:fs") = require("node:fs");
  const read = (file: string): Users =>
    fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
  const write = (file: string, users: Users) => {
    // Write, then rename: the relay never reads a half-written file.
    fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(users, null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(`${file}.tmp`, file);
  };
  const sameAccount =
    olds !== undefined && olds.usersFile === news.usersFile && olds.username === news.username;
  if (olds && !sameAccount) {
    const oldUsers = read(olds.usersFile);
    delete oldUsers[olds.username];
    write(olds.usersFile, oldUsers);
  }
  const users = read(news.usersFile);
  const previous = sameAccount && news.keepPrevious !== false ? olds.password : undefined;
  users[news.username] =
    previous && previous !== news.password ? [news.password, previous] : [news.password];
  write(news.usersFile, users);
}

function removeAccount(props: AccountProps): void {
  const fs: typeof import("node:fs") = require("node:fs");
  if (!fs.existsSync(props.usersFile)) return;
  const users: Users = JSON.parse(fs.readFileSync(props.usersFile, "utf8"));
  delete users[props.username];
  fs.writeFileSync(props.usersFile, `${JSON.stringify(users, null, 2)}\n`, { mode: 0o600 });
}

/** Exported for the example's test, which drives it without the engine. */
export const relayAccountProvider = {
  async create(inputs: AccountProps): Promise<pulumi.dynamic.CreateResult> {
    writeAccount(inputs, undefined);
    return { id: `${inputs.usersFile}#${inputs.username}`, outs: inputs };
  },
  async diff(
    _id: string,
    olds: AccountProps,
    news: AccountProps,
  ): Promise<pulumi.dynamic.DiffResult> {
    const keys = ["usersFile", "username", "password", "keepPrevious"] as const;
    return { changes: keys.some((k) => olds[k] !== news[k]), replaces: [] };
  },
  async update(
    _id: string,
    olds: AccountProps,
    news: AccountProps,
  ): Promise<pulumi.dynamic.UpdateResult> {
    writeAccount(news, olds);
    return { outs: news };
  },
  async delete(_id: string, props: AccountProps): Promise<void> {
    removeAccount(props);
  },
} satisfies pulumi.dynamic.ResourceProvider;

export class RelayAccount extends pulumi.dynamic.Resource {
  declare readonly usersFile: pulumi.Output<string>;
  declare readonly username: pulumi.Output<string>;
  /** Secret. */
  declare readonly password: pulumi.Output<string>;

  constructor(name: string, args: RelayAccountArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      relayAccountProvider,
      name,
      { keepPrevious: true, ...args, password: pulumi.secret(args.password) },
      { ...opts, additionalSecretOutputs: ["password"] },
      "relay",
      "RelayAccount",
    );
  }
}
