/**
 * Authenticator-app codes for tests, computed here from RFC 6238 (HMAC-SHA-1, 6 digits, 30 s)
 * rather than by the library the portal uses, so that the two check each other.
 */
import { createHmac } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "#db/types.ts";
import { DEMO_TOTP_SECRET } from "#seeds/demo.ts";

export { DEMO_TOTP_SECRET };

const PERIOD = 30;

function base32Bytes(secret: string) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const char of secret.replace(/[\s=]/g, "").toUpperCase()) {
    const value = alphabet.indexOf(char);
    if (value < 0) throw new Error(`Not base32: ${char}`);
    bits += value.toString(2).padStart(5, "0");
  }
  return Buffer.from(bits.match(/.{8}/g)!.map((byte) => Number.parseInt(byte, 2)));
}

export function currentStep() {
  return Math.floor(Date.now() / 1000 / PERIOD);
}

/** The code of a secret for one time step. */
export function codeForStep(secret: string, step: number) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", base32Bytes(secret)).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const number = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(number % 1_000_000).padStart(6, "0");
}

const lastUsed = new Map<string, number>();

/**
 * A code the portal has not accepted yet for this account (`account`: the portal's address and the
 * email), as a person with an app would have: the current step's, or the next step's (the portal
 * allows one step of clock drift); when both were used, it waits for the next step. Used codes
 * are refused, so sign-ins of one account in quick succession need this.
 */
export async function freshCode(secret: string, account: string) {
  for (;;) {
    const now = currentStep();
    const used = lastUsed.get(account) ?? -1;
    const step = [now, now + 1].find((s) => s > used);
    if (step !== undefined) {
      lastUsed.set(account, step);
      return codeForStep(secret, step);
    }
    await new Promise((resolve) => setTimeout(resolve, (now + 1) * PERIOD * 1000 - Date.now() + 50));
  }
}

/**
 * Gives an account made by a test a confirmed second factor (the demo key), as a coordinator or
 * admin must have before the portal lets them past the set-up page.
 */
export async function giveSecondFactor(db: Kysely<Database>, userId: number, secret = DEMO_TOTP_SECRET) {
  await db.insertInto("two_factor").values({ user_id: userId, secret, confirmed_at: new Date() }).execute();
}
