import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DnnCryptoError, decryptAES, deriveKeyAndIv, encryptAES } from "./crypto.js";

const PASSPHRASE = "0F2A6B1C9D3E4F5A6B7C8D9E0F1A2B3C4D5E6F7A8B9C0D1E"; // a machineKey decryptionKey
const SALT = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"; // a host GUID
const zeros = (n: number) => Buffer.alloc(n, 0);
/** "S3cret!pass" under PASSPHRASE/SALT with an all-zero padding filler. */
const VECTOR = "BLVaqaOwOKMkXs7QjKMVYA==";

const hasPython = spawnSync("python3", ["-c", "import cryptography"]).status === 0;
const hasOpenssl = existsSync("/usr/bin/openssl");

/** Independent implementation: Python's `cryptography` (PBKDF2-HMAC-SHA1, AES-256-CBC, ISO 10126). */
const PY_DNN = `
import base64, sys
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
op, passphrase, salt, data = sys.argv[1:5]
kdf = PBKDF2HMAC(algorithm=hashes.SHA1(), length=48, salt=salt.encode("ascii"), iterations=1000)
km = kdf.derive(passphrase.encode("utf-8"))
key, iv = km[:32], km[32:48]
if op == "decrypt":
    d = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    padded = d.update(base64.b64decode(data)) + d.finalize()
    sys.stdout.write(padded[: len(padded) - padded[-1]].decode("utf-8"))
else:
    plain = data.encode("utf-8")
    n = 16 - len(plain) % 16
    import os
    filler = bytes(n - 1) if op == "encrypt-zero" else os.urandom(n - 1)
    padded = plain + filler + bytes([n])
    e = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    sys.stdout.write(base64.b64encode(e.update(padded) + e.finalize()).decode("ascii"))
`;

function python(op: "encrypt" | "encrypt-zero" | "decrypt", data: string): string {
  return execFileSync("python3", ["-c", PY_DNN, op, PASSPHRASE, SALT, data], { encoding: "utf8" });
}

/** Independent implementation: the openssl command line (kdf + enc -nopad). */
function opensslDecrypt(cipherText: string): string {
  const km = execFileSync("openssl", [
    "kdf",
    "-keylen",
    "48",
    "-kdfopt",
    "digest:SHA1",
    "-kdfopt",
    `pass:${PASSPHRASE}`,
    "-kdfopt",
    `salt:${SALT}`,
    "-kdfopt",
    "iter:1000",
    "-binary",
    "PBKDF2",
  ]);
  const key = km.subarray(0, 32).toString("hex");
  const iv = km.subarray(32, 48).toString("hex");
  const padded = execFileSync(
    "openssl",
    ["enc", "-d", "-aes-256-cbc", "-nopad", "-K", key, "-iv", iv],
    {
      input: Buffer.from(cipherText, "base64"),
    },
  );
  return padded.subarray(0, padded.length - (padded.at(-1) ?? 0)).toString("utf8");
}

describe("DNN setting encryption (contract section 6)", () => {
  it("round-trips UTF-8 text, including the empty string and whole blocks", () => {
    for (const plain of ["", "p", "S3cret!pass", "exactly16bytes!!", "pässwörd ✓ 密码"]) {
      expect(decryptAES(encryptAES(plain, PASSPHRASE, SALT), PASSPHRASE, SALT)).toBe(plain);
    }
  });

  it("pads ISO 10126 style: equal passwords give different cipher texts", () => {
    const a = encryptAES("same", PASSPHRASE, SALT);
    const b = encryptAES("same", PASSPHRASE, SALT);
    expect(a).not.toBe(b);
    expect(Buffer.from(a, "base64")).toHaveLength(16);
    expect(Buffer.from(encryptAES("exactly16bytes!!", PASSPHRASE, SALT), "base64")).toHaveLength(
      32,
    );
  });

  it("derives key and IV as the first 48 bytes of PBKDF2-HMAC-SHA1 x1000", () => {
    const { key, iv } = deriveKeyAndIv(PASSPHRASE, SALT);
    expect(key).toHaveLength(32);
    expect(iv).toHaveLength(16);
  });

  it("gives a fixed vector when the padding filler is fixed", () => {
    expect(encryptAES("S3cret!pass", PASSPHRASE, SALT, zeros)).toBe(VECTOR);
    expect(decryptAES(VECTOR, PASSPHRASE, SALT)).toBe("S3cret!pass");
  });

  it("refuses passphrases or salts shorter than 8 characters, and wrong keys", () => {
    expect(() => encryptAES("x", "short", SALT)).toThrow(DnnCryptoError);
    expect(() => encryptAES("x", PASSPHRASE, "short")).toThrow(DnnCryptoError);
    const c = encryptAES("secret", PASSPHRASE, SALT);
    let plain: string | undefined;
    try {
      plain = decryptAES(c, PASSPHRASE, "another-guid-value");
    } catch (err) {
      expect(err).toBeInstanceOf(DnnCryptoError);
    }
    expect(plain).not.toBe("secret");
  });

  it.skipIf(!hasPython && process.env.CI !== "true")(
    "is verified by Python's cryptography package, both directions",
    () => {
      const plain = "S3cret!pass ✓";
      expect(python("decrypt", encryptAES(plain, PASSPHRASE, SALT))).toBe(plain);
      expect(python("decrypt", encryptAES(plain, PASSPHRASE, SALT, zeros))).toBe(plain);
      expect(decryptAES(python("encrypt", plain), PASSPHRASE, SALT)).toBe(plain);
      // The fixed vector, produced independently.
      expect(python("encrypt-zero", "S3cret!pass")).toBe(VECTOR);
      expect(python("decrypt", VECTOR)).toBe("S3cret!pass");
    },
  );

  it.skipIf(!hasOpenssl && process.env.CI !== "true")(
    "is verified by the openssl command line",
    () => {
      expect(opensslDecrypt(VECTOR)).toBe("S3cret!pass");
      for (const plain of ["S3cret!pass", "exactly16bytes!!", ""]) {
        expect(opensslDecrypt(encryptAES(plain, PASSPHRASE, SALT))).toBe(plain);
      }
    },
  );
});
