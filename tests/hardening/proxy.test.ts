/**
 * Behind the documented reverse proxy (TRUST_PROXY=1, one hop), the portal must see each client's
 * own address, so that the throttles counted by address cost the sender alone. TRUST_PROXY reached
 * Express as the string "1", which it reads as the address 0.0.0.1: no proxy was trusted, every
 * client had the proxy's address, and one sender's 10 wrong passwords locked an officer out
 * everywhere, 20 password-reset requests stopped resets for everyone. Here the test is the proxy:
 * each request arrives from 127.0.0.1 with the X-Forwarded-For a proxy would add.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { THROTTLE } from "#app/models/sign-in.server.ts";
import { RESET_THROTTLE } from "#app/models/account.server.ts";
import { HttpVisitor } from "../support/http.ts";
import { databaseBesideMissing, startPortal, type RunningPortal } from "../support/portal.ts";
import { OFFICER } from "../support/requests.ts";

const ATTACKER = "203.0.113.7";
const COLLEAGUE = "198.51.100.7";

describe("behind one proxy hop (TRUST_PROXY=1)", () => {
  let portal: RunningPortal;
  const browser = () => new HttpVisitor(() => portal.url);
  const from = (address: string) => ({ "X-Forwarded-For": address });

  beforeAll(async () => {
    portal = await startPortal({ TRUST_PROXY: "1" });
  });
  afterAll(async () => {
    await portal?.stop();
  });

  it("an officer's wrong passwords from one client refuse that client only: the officer still signs in from another", async () => {
    const attacker = browser();
    for (let i = 1; i <= THROTTLE.refuseAfter; i++) {
      const response = await attacker.signIn(OFFICER.newport, `wrong-guess-${i}`, from(ATTACKER));
      await response.text();
      expect(response.status, `wrong password ${i}`).toBe(400);
    }
    const refused = await browser().signIn(OFFICER.newport, "demo-password-2023", from(ATTACKER));
    await refused.text();
    expect(refused.status, "the sender's own address is refused").toBe(429);
    // A client cannot step out of its count by claiming another address: the proxy appends the one it saw.
    const forged = await browser().signIn(OFFICER.newport, "demo-password-2023", from(`${COLLEAGUE}, ${ATTACKER}`));
    await forged.text();
    expect(forged.status, "a forged X-Forwarded-For before the proxy's").toBe(429);

    const officer = await browser().signIn(OFFICER.newport, "demo-password-2023", from(COLLEAGUE));
    await officer.text();
    expect(officer.status, `the officer from elsewhere\n${portal.output().slice(-2000)}`).toBe(302);
  }, 120_000);

  it.skipIf(databaseBesideMissing("the password-reset throttle test"))(
    "one client's password-reset requests use up its own allowance, not everyone's",
    async () => {
      const requestReset = async (email: string, address: string) => {
        const visitor = browser();
        const { csrf } = await visitor.page("/forgot-password");
        const response = await visitor.post("/forgot-password", { csrf, email }, from(address));
        await response.text();
        expect(response.status).toBe(302);
      };
      for (let i = 0; i <= RESET_THROTTLE.perAddress; i++) await requestReset(`nobody${i}@example.org`, ATTACKER);
      await requestReset(OFFICER.cardiff, COLLEAGUE);
      // A request is recorded only when it is not refused.
      const recorded = await portal.database.db
        .selectFrom("password_reset_request")
        .select(["email", "address"])
        .where("email", "=", OFFICER.cardiff)
        .execute();
      expect(recorded).toEqual([{ email: OFFICER.cardiff, address: COLLEAGUE }]);
      const fromAttacker = await portal.database.db
        .selectFrom("password_reset_request")
        .select((eb) => eb.fn.countAll<string>().as("n"))
        .where("address", "=", ATTACKER)
        .executeTakeFirstOrThrow();
      expect(Number(fromAttacker.n)).toBe(RESET_THROTTLE.perAddress);
    },
    120_000,
  );
});
