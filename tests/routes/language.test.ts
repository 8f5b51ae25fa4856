/**
 * The language switch (issue 12, item 10). Before, `GET /language?lang=cy` changed the signed-in
 * person's stored language, unaudited: any link or image on another site could change whose emails
 * arrive in which language. Now the link sets this browser's cookie only; a signed-in person's
 * switch is a form post with the session's CSRF token, and the account's change is audited.
 */
import { describe, expect, it } from "vitest";
import * as language from "#app/routes/language.ts";
import * as login from "#app/routes/login.tsx";
import { loader as rootLoader } from "#app/root.tsx";
import { useDemoDatabase } from "../support/database.ts";
import { get, OFFICER, post, run, signIn } from "../support/requests.ts";

describe("the language switch", () => {
  const db = useDemoDatabase();
  const stored = async (email: string) =>
    (await db().selectFrom("app_user").select("language").where("email", "=", email).executeTakeFirstOrThrow()).language;
  const audited = async (email: string) => {
    const { id } = await db().selectFrom("app_user").select("id").where("email", "=", email).executeTakeFirstOrThrow();
    return db()
      .selectFrom("audit_log")
      .select(["actor_user_id", "before", "after"])
      .where("action", "=", "account.language")
      .where("entity_key", "=", String(id))
      .orderBy("id")
      .execute();
  };

  it("changes only this browser's language through the link, even for a signed-in person", async () => {
    const visitor = await signIn(db(), OFFICER.cardiff);
    const outcome = await run(() =>
      language.loader({ request: get("/language?lang=cy&returnTo=%2Fcatalogue", visitor), params: {}, context: {} } as never),
    );
    expect(outcome).toMatchObject({ kind: "response", status: 302, location: "/catalogue" });
    expect(outcome.kind === "response" && outcome.response.headers.get("Set-Cookie")).toMatch(/^lang=cy;/);
    expect(await stored(OFFICER.cardiff)).toBe("en");
    expect(await audited(OFFICER.cardiff)).toEqual([]);
  });

  it("changes a signed-in person's account by the form the header carries, audited, in both directions", async () => {
    const visitor = await signIn(db(), OFFICER.newport);
    const page = await rootLoader({ request: get("/", visitor), params: {}, context: {} } as never);
    expect(page.user?.csrfToken).toBe(visitor.csrf);
    const outcome = await run(() =>
      language.action({ request: post("/language", { lang: "cy", returnTo: "/catalogue" }, visitor), params: {}, context: {} } as never),
    );
    expect(outcome).toMatchObject({ kind: "response", status: 302, location: "/catalogue" });
    expect(outcome.kind === "response" && outcome.response.headers.get("Set-Cookie")).toMatch(/^lang=cy;/);
    expect(await stored(OFFICER.newport)).toBe("cy");
    expect((await rootLoader({ request: get("/", visitor), params: {}, context: {} } as never)).lang).toBe("cy");
    await run(() =>
      language.action({ request: post("/language", { lang: "en", returnTo: "/" }, visitor), params: {}, context: {} } as never),
    );
    const visitorId = visitor.userId;
    expect(await audited(OFFICER.newport)).toEqual([
      { actor_user_id: visitorId, before: { language: "en" }, after: { language: "cy" } },
      { actor_user_id: visitorId, before: { language: "cy" }, after: { language: "en" } },
    ]);
  });

  it("refuses the post without the session's CSRF token, and anyone not signed in", async () => {
    const visitor = await signIn(db(), OFFICER.conwy);
    const forged = await run(() =>
      language.action({ request: post("/language", { lang: "cy" }, visitor, { csrf: false }), params: {}, context: {} } as never),
    );
    expect(forged).toMatchObject({ kind: "response", status: 403 });
    const anonymous = await run(() => language.action({ request: post("/language", { lang: "cy" }), params: {}, context: {} } as never));
    expect(anonymous).toMatchObject({ kind: "response", status: 302, location: expect.stringMatching(/^\/login/) });
    expect(await stored(OFFICER.conwy)).toBe("en");
  });

  it("keeps a language chosen on the sign-in page with the account, audited", async () => {
    const page = (await login.loader({ request: get("/login"), params: {}, context: {} } as never)) as unknown as {
      data: { csrf: string };
      init: { headers: Record<string, string> };
    };
    const request = post("/login", { csrf: page.data.csrf, email: "officer.powys@authorities.example", password: "demo-password-2023" });
    request.headers.set("Cookie", `${page.init.headers["Set-Cookie"]!.split(";")[0]}; lang=cy`);
    const outcome = await run(() => login.action({ request, params: {}, context: { clientAddress: "192.0.2.30" } } as never));
    expect(outcome).toMatchObject({ kind: "response", status: 302 });
    expect(await stored("officer.powys@authorities.example")).toBe("cy");
    expect(await audited("officer.powys@authorities.example")).toMatchObject([{ before: { language: "en" }, after: { language: "cy" } }]);
  });
});
