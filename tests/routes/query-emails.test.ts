/**
 * Emails about queries on figures (issue 16, notifications, first part): a query raised reaches
 * the authority's officers, a reply reaches the other side, each in the recipient's language with
 * a link to the thread, queued in the same transaction as the change.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { getCollection } from "#app/models/collection.server.ts";
import { raiseQuery, replyToQuery } from "#app/models/value-query.server.ts";
import { useDemoDatabase } from "../support/database.ts";
import { COORDINATOR, OFFICER } from "../support/requests.ts";
import { submitAs } from "../support/returns.ts";

const ROUND = "2026-12-care-experienced-parents";
const NEWPORT = "W06000022";

describe("emails about questions on figures", () => {
  const db = useDemoDatabase();
  const ids = { coordinator: 0, officer: 0 };
  const scope = async () => ({ collection: (await getCollection(db(), ROUND))!, authorityCode: NEWPORT });
  const queryEmails = () =>
    db().selectFrom("outbox").select(["to_email", "subject", "body"]).where("kind", "=", "query").orderBy("id").execute();

  beforeAll(async () => {
    for (const [key, email] of [
      ["coordinator", COORDINATOR],
      ["officer", OFFICER.newport],
    ] as const) {
      ids[key] = (await db().selectFrom("app_user").select("id").where("email", "=", email).executeTakeFirstOrThrow()).id;
    }
    // Newport's officer reads in Welsh.
    await db().updateTable("app_user").set({ language: "cy" }).where("id", "=", ids.officer).execute();
    await submitAs(db(), ROUND, NEWPORT, {
      care_leavers_21_25: { state: "reported", number: "100" },
      care_experienced_parents: { state: "reported", number: "9" },
      care_experienced_parents_child_removed: { state: "unknown", reason: "Not linked yet." },
    });
  });

  it("tells the authority's officers of a query, in Welsh for a Welsh-speaking officer, with a link to the thread", async () => {
    const coordinator = { userId: ids.coordinator, role: "coordinator" as const, authorityCode: null };
    expect(await raiseQuery(db(), await scope(), { itemCode: "care_leavers_21_25", body: "Is 100 right?", actor: coordinator })).toEqual({
      ok: true,
    });
    const query = await db().selectFrom("value_query").select("id").orderBy("id", "desc").executeTakeFirstOrThrow();
    const emails = await queryEmails();
    expect(emails).toHaveLength(1);
    const [email] = emails;
    expect(email!.to_email).toBe(OFFICER.newport);
    expect(email!.subject).toMatch(/^Ymholiad am eich ffurflen ar gyfer /);
    expect(email!.body).toContain("Mae ADSS Cymru wedi codi ymholiad am");
    expect(email!.body).toContain(`Agor yr ymholiad: http://localhost/returns/${ROUND}/${NEWPORT}/queries/${query.id}`);
    // The question itself stays behind sign-in.
    expect(email!.body).not.toContain("Is 100 right?");
  });

  it("tells the coordinator who asked of the officer's reply, in the coordinator's language", async () => {
    const query = await db().selectFrom("value_query").select("id").orderBy("id", "desc").executeTakeFirstOrThrow();
    const officer = { userId: ids.officer, role: "officer" as const, authorityCode: NEWPORT };
    expect(await replyToQuery(db(), await scope(), { queryId: query.id, body: "Yes: two teams merged.", actor: officer })).toEqual({
      ok: true,
    });
    const email = (await queryEmails()).at(-1)!;
    expect(email.to_email).toBe(COORDINATOR);
    expect(email.subject).toMatch(/^A reply about Newport's return for /);
    expect(email.body).toContain("has replied to the query about");
    expect(email.body).toContain(`Open the query: http://localhost/returns/${ROUND}/${NEWPORT}/queries/${query.id}`);

    // And the coordinator's answer goes back to the officer.
    const coordinator = { userId: ids.coordinator, role: "coordinator" as const, authorityCode: null };
    await replyToQuery(db(), await scope(), { queryId: query.id, body: "Thank you.", actor: coordinator });
    const back = (await queryEmails()).at(-1)!;
    expect(back.to_email).toBe(OFFICER.newport);
    expect(back.subject).toMatch(/^Ateb am ffurflen Casnewydd ar gyfer /);
  });
});
