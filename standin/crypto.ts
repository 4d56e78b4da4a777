/**
 * DNN's reversible encryption of secret settings (FIPSCompliant.EncryptAES), used for
 * `SMTPPassword` in HostSettings and PortalSettings (contract section 6):
 *
 * - passphrase: the `decryptionKey` of web.config's `<machineKey>`, the hex text as-is;
 * - salt: the ASCII bytes of the host setting `GUID`;
 * - key and IV: PBKDF2-HMAC-SHA1, 1000 iterations, 48 bytes (32 key + 16 IV);
 * - AES-256-CBC with ISO 10126 padding (random filler, last byte = pad length);
 * - UTF-8 plaintext, standard Base64 output.
 */
import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes } from "node:crypto";

/** PBKDF2 iteration count DNN passes to Rfc2898DeriveBytes. */
export const PBKDF2_ITERATIONS = 1000;
/** AES block size in bytes. */
const BLOCK = 16;
/** DNN refuses passphrases and salts shorter than this. */
export const MIN_SECRET_LENGTH = 8;

/** Raised when a stored cipher text cannot be decrypted (wrong key, corrupt data). */
export class DnnCryptoError extends Error {
  override readonly name = "DnnCryptoError";
}

function checkSecrets(passphrase: string, salt: string): void {
  if (passphrase.length < MIN_SECRET_LENGTH || salt.length < MIN_SECRET_LENGTH) {
    throw new DnnCryptoError(
      `passphrase and salt must be at least ${MIN_SECRET_LENGTH} characters (DNN's own check)`,
    );
  }
}

/** Derives the AES key and IV exactly as Rfc2898DeriveBytes.GetBytes(32) then GetBytes(16). */
export function deriveKeyAndIv(passphrase: string, salt: string): { key: Buffer; iv: Buffer } {
  // .NET's Rfc2898DeriveBytes continues one PBKDF2 stream across GetBytes calls,
  // so two calls of 32 and 16 bytes equal the first 48 bytes of one derivation.
  const bytes = pbkdf2Sync(
    Buffer.from(passphrase, "utf8"),
    Buffer.from(salt, "ascii"),
    PBKDF2_ITERATIONS,
    48,
    "sha1",
  );
  return { key: bytes.subarray(0, 32), iv: bytes.subarray(32, 48) };
}

/**
 * ISO 10126 padding: 1..16 filler bytes, random except the last, which holds the count.
 * `fill` is injectable so a test vector can be fixed.
 */
export function iso10126Pad(data: Buffer, fill: (n: number) => Buffer = randomBytes): Buffer {
  const padLength = BLOCK - (data.length % BLOCK);
  const pad = Buffer.concat([fill(padLength - 1), Buffer.from([padLength])]);
  return Buffer.concat([data, pad]);
}

function iso10126Unpad(data: Buffer): Buffer {
  const padLength = data.at(-1) ?? 0;
  if (padLength < 1 || padLength > BLOCK || padLength > data.length) {
    throw new DnnCryptoError("bad ISO 10126 padding (wrong key or corrupt cipher text)");
  }
  return data.subarray(0, data.length - padLength);
}

/** Encrypts like DNN's FIPSCompliant.EncryptAES. */
export function encryptAES(
  plainText: string,
  passphrase: string,
  salt: string,
  fill?: (n: number) => Buffer,
): string {
  checkSecrets(passphrase, salt);
  const { key, iv } = deriveKeyAndIv(passphrase, salt);
  const cipher = createCipheriv("aes-256-cbc", key, iv);
  cipher.setAutoPadding(false);
  const padded = iso10126Pad(Buffer.from(plainText, "utf8"), fill);
  return Buffer.concat([cipher.update(padded), cipher.final()]).toString("base64");
}

/** Decrypts like DNN's FIPSCompliant.DecryptAES. */
export function decryptAES(cipherText: string, passphrase: string, salt: string): string {
  checkSecrets(passphrase, salt);
  const data = Buffer.from(cipherText, "base64");
  if (data.length === 0 || data.length % BLOCK !== 0) {
    throw new DnnCryptoError("cipher text is not a whole number of AES blocks");
  }
  const { key, iv } = deriveKeyAndIv(passphrase, salt);
  const decipher = createDecipheriv("aes-256-cbc", key, iv);
  decipher.setAutoPadding(false);
  const padded = Buffer.concat([decipher.update(data), decipher.final()]);
  return iso10126Unpad(padded).toString("utf8");
}
