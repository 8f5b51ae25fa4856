/**
 * Audit integrity. Every change of a value made through the portal has its audit row (the value
 * tables compared with the audit log's value.change rows), on either engine. And on PostgreSQL,
 * the application's own role (docs/sql/app-role.sql) may append to the audit log and read it, but
 * never change or remove a row of it, nor of the submitted versions: refused by the database with a
 * permission error, before the append-only trigger is even reached; the portal runs on that role.
 */
import { sql, type Kysely } from "kysely";
import { beforeAll, describe, expect, it } from "vitest";
import type { Database } from "#db/types.ts";
import * as design from "#app/routes/collections.$code.design.tsx";
import { DATE_FIELDS, type CollectionInput } from "#app/schema/collection-form.ts";
import * as form from "#app/routes/returns.$collectionCode.$authorityCode._index.tsx";
import * as check from "#app/routes/returns.$collectionCode.$authorityCode.check.tsx";
import * as amend from "#app/routes/returns.$collectionCode.$authorityCode.amend.tsx";
import { useAppRoleDatabase } from "../support/app-role.ts";
import { useDemoDatabase } from "../support/database.ts";
import { postgresFor } from "../support/engine.ts";
import { expectEveryValueAudited } from "../support/hardening.ts";
import { HttpVisitor } from "../support/http.ts";
import { spawnPortal, type PortalProcess } from "../support/portal.ts";
import { COORDINATOR, get, OFFICER, post, routeArgs, run, signIn, type Visitor } from "../support/requests.ts";
import { type Delivery, smtpServer, spawnWorker, until } from "../support/worker.ts";
import { CARDIFF, formAnswers, ITEM, NEWPORT, OPEN_ROUND } from "./fixtures.ts";

const path = (authority: string, page = "") => `/returns/${OPEN_ROUND}/${authority}${page ? `/${page}` : ""}`;
const params = (authority: string) => ({ collectionCode: OPEN_ROUND, authorityCode: authority });

describe("every value change made through the portal has its audit row", () => {
  const db = useDemoDatabase();
  let cardiff: Visitor;
  let newport: Visitor;
  let coordinator: Visitor;

  beforeAll(async () => {
    [cardiff, newport, coordinator] = await Promise.all([
      signIn(db(), OFFICER.cardiff),
      signIn(db(), OFFICER.newport),
      signIn(db(), COORDINATOR),
    ]);
  });

  const lockOf = async (visitor: Visitor, authority: string) => {
    const outcome = await run(() => form.loader(routeArgs(get(path(authority), visitor), params(authority)) as never));
    return (outcome as { data: { lockVersion: number } }).data.lockVersion;
  };
  const save = async (visitor: Visitor, authority: string, overrides: Record<string, Record<string, string>>) => {
    const lockVersion = await lockOf(visitor, authority);
    const outcome = await run(() =>
      form.action(routeArgs(post(path(authority), formAnswers(overrides, lockVersion), visitor), params(authority)) as never),
    );
    expect(outcome.status, JSON.stringify(outcome.kind === "data" ? outcome.data : outcome.location)).toBe(302);
  };
  const submit = async (visitor: Visitor, authority: string) => {
    const page = await run(() => check.loader(routeArgs(get(path(authority, "check"), visitor), params(authority)) as never));
    const data = (page as { data: { lockVersion: number; problems: unknown[] } }).data;
    expect(data.problems).toEqual([]);
    const outcome = await run(() =>
      check.action(
        routeArgs(
          post(path(authority, "check"), { lockVersion: String(data.lockVersion), signedOffName: "A", signedOffRole: "B" }, visitor),
          params(authority),
        ) as never,
      ),
    );
    expect(outcome.status).toBe(302);
  };
  const explained = (number: string) => ({ state: "reported", number, queryExplanation: "Checked." });

  it("through saves, blanks, a redesign that drops an item, submissions and amendments", async () => {
    await save(cardiff, CARDIFF, { [ITEM]: explained("120"), care_experienced_parents_child_removed: explained("2") });
    await save(newport, NEWPORT, { [ITEM]: explained("271"), care_experienced_parents_child_removed: explained("2") });
    // A figure cleared: its row goes, and the audit log says so.
    await save(cardiff, CARDIFF, { [ITEM]: explained("120"), care_experienced_parents_child_removed: {} });
    expect(await expectEveryValueAudited(db())).toMatchObject({ values: expect.any(Number) });

    // The coordinator drops an item from the open round while authorities have drafts: the drafts'
    // values for it go too, and each must leave its trace.
    const page = await run(() =>
      design.loader(routeArgs(get(`/collections/${OPEN_ROUND}/design`, coordinator), { code: OPEN_ROUND }) as never),
    );
    const input = (page as { data: { input: CollectionInput } }).data.input;
    const dropped = "children_reunification_plan";
    // The form as the page gives it back, less the dropped item.
    const fields: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(input)) if (typeof v === "string") fields[k] = v;
    for (const field of DATE_FIELDS) {
      for (const part of ["day", "month", "year"] as const) fields[`${field}-${part}`] = input[field][part];
    }
    input.rules.forEach((rule, i) => {
      fields[`rule.${i}.kind`] = rule.kind;
      fields[`rule.${i}.item`] = rule.item;
      fields[`rule.${i}.parts`] = rule.parts;
      fields[`rule.${i}.limit`] = rule.limit;
    });
    for (const item of input.items.filter((i) => i.code !== dropped)) {
      fields[`item.${item.code}`] = "yes";
      fields[`position.${item.code}`] = String(item.position);
      if (item.required) fields[`required.${item.code}`] = "yes";
    }
    const before = await db().selectFrom("value").select("return_id").where("item_code", "=", dropped).execute();
    expect(before.length, "drafts hold a value for the item about to be dropped").toBeGreaterThanOrEqual(2);
    const redesigned = await run(() =>
      design.action(routeArgs(post(`/collections/${OPEN_ROUND}/design`, fields, coordinator), { code: OPEN_ROUND }) as never),
    );
    expect(redesigned).toMatchObject({ status: 302, location: `/collections/${OPEN_ROUND}/design?saved=details` });
    expect(await db().selectFrom("value").select("return_id").where("item_code", "=", dropped).execute()).toEqual([]);
    await expectEveryValueAudited(db());
    const trace = await db()
      .selectFrom("audit_log")
      .select(["actor_user_id", "before", "after", "reason"])
      .where("action", "=", "value.change")
      .where("entity_key", "like", `%:${dropped}`)
      // A value cleared is audited with JSON null as its "after".
      .where(sql<boolean>`after = 'null'::jsonb`)
      .execute();
    expect(trace).toHaveLength(before.length);
    expect(trace.every((t) => t.actor_user_id === coordinator.userId && t.reason)).toBe(true);

    // Submitted, amended, changed and submitted again: each version a copy of audited values.
    const withoutDropped = { [dropped]: {} };
    await save(cardiff, CARDIFF, { ...withoutDropped, [ITEM]: explained("121"), care_experienced_parents_child_removed: explained("2") });
    await submit(cardiff, CARDIFF);
    const lock = await lockOf(cardiff, CARDIFF);
    const amended = await run(() =>
      amend.action(
        routeArgs(post(path(CARDIFF, "amend"), { lockVersion: String(lock), reason: "Recounted." }, cardiff), params(CARDIFF)) as never,
      ),
    );
    expect(amended.status).toBe(302);
    await save(cardiff, CARDIFF, { ...withoutDropped, [ITEM]: explained("118"), care_experienced_parents_child_removed: explained("2") });
    await submit(cardiff, CARDIFF);
    const { values, auditRows } = await expectEveryValueAudited(db());
    expect(values).toBeGreaterThan(0);
    expect(auditRows).toBeGreaterThan(values);

    // And every submitted version holds exactly the values the audit log had reached when it was made.
    const versions = await db()
      .selectFrom("return_version as rv")
      .innerJoin("return as r", "r.id", "rv.return_id")
      .select(["rv.return_id", "rv.version", "rv.submitted_at"])
      .where("r.authority_code", "=", CARDIFF)
      .where("r.collection_id", "=", (eb) => eb.selectFrom("collection").select("id").where("code", "=", OPEN_ROUND))
      .execute();
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    for (const version of versions) {
      const copied = await db()
        .selectFrom("return_version_value")
        .select(["item_code", "number", "state"])
        .where("return_id", "=", version.return_id)
        .where("version", "=", version.version)
        .orderBy("item_code")
        .execute();
      const audited = await db()
        .selectFrom("audit_log")
        .select(["entity_key", "after"])
        .where("action", "=", "value.change")
        .where("entity_key", "like", `${version.return_id}:%`)
        .where("at", "<=", version.submitted_at)
        .orderBy("id")
        .execute();
      const state = new Map<string, { number: number | null; state: string } | null>();
      for (const row of audited) state.set(row.entity_key.split(":")[1]!, row.after as never);
      const expected = [...state]
        .filter(([, v]) => v !== null)
        .map(([item, v]) => ({ item_code: item, number: v!.number, state: v!.state }))
        .sort((a, b) => a.item_code.localeCompare(b.item_code));
      expect(copied, `version ${version.version}`).toEqual(expected);
    }
  });
});

const postgres = postgresFor("the application role's audit tests");

describe.skipIf(!postgres)("the application's own PostgreSQL role (docs/sql/app-role.sql)", () => {
  const role = useAppRoleDatabase({ times: 2 });
  const owner = role.owner;

  const refusal = (text: string, values: unknown[] = []) =>
    role
      .app()
      .query(text, values)
      .then(
        () => null,
        (error: { code?: string; message: string }) => ({ code: error.code, message: error.message }),
      );

  it("appends to and reads the audit log", async () => {
    const { rows } = await role
      .app()
      .query<{ id: string }>(
        "insert into audit_log (action, entity, entity_key, reason) values ('test.append', 'test', '1', 'as the application') returning id",
      );
    expect(rows).toHaveLength(1);
    const read = await role.app().query("select count(*)::int as n from audit_log");
    expect(read.rows[0].n).toBeGreaterThan(1);
  });

  it("may not UPDATE, DELETE or TRUNCATE the audit log: a permission error from the database itself", async () => {
    const before = (await role.app().query("select count(*)::int as n, max(id) as last from audit_log")).rows[0];
    for (const statement of [
      "update audit_log set reason = 'tampered'",
      "update audit_log set after = null where action = 'value.change'",
      "delete from audit_log",
      "delete from audit_log where id = (select max(id) from audit_log)",
      "truncate audit_log",
    ]) {
      const refused = await refusal(statement);
      expect(refused, statement).toMatchObject({ code: "42501", message: expect.stringMatching(/permission denied for table audit_log/) });
    }
    expect((await role.app().query("select count(*)::int as n, max(id) as last from audit_log")).rows[0]).toEqual(before);
  });

  it("may not change or remove submitted versions, nor alter the schema, the trigger or its own grants", async () => {
    for (const [statement, pattern] of [
      ["update return_version set signed_off_name = 'x'", /permission denied for table return_version/],
      ["delete from return_version_value", /permission denied for table return_version_value/],
      ["delete from return", /permission denied for table return/],
      ["delete from app_user", /permission denied for table app_user/],
      ["update region set name_en = 'x'", /permission denied for table region/],
      ["alter table audit_log disable trigger audit_log_no_update_or_delete", /must be owner of table audit_log/],
      ["drop trigger audit_log_no_truncate on audit_log", /must be owner of (table|relation) audit_log/],
      ["drop table audit_log", /must be owner of table audit_log/],
      ["create table shadow (id int)", /permission denied for schema public/],
      ["set session authorization postgres", /permission denied/],
    ] as const) {
      expect(await refusal(statement), statement).toMatchObject({ message: expect.stringMatching(pattern) });
    }
    // Granting itself more is a no-op (PostgreSQL warns "no privileges were granted"): the log stays closed.
    await role
      .app()
      .query("grant update, delete on audit_log to portal_app")
      .catch(() => undefined);
    expect(await refusal("update audit_log set reason = 'tampered'")).toMatchObject({ code: "42501" });
  });

  it("has a grant on every table of the schema, and UPDATE, DELETE or TRUNCATE on none of the records", async () => {
    const { rows } = await role.app().query<{ table: string; select: boolean; update: boolean; delete: boolean; truncate: boolean }>(`
      select c.relname as table,
             has_table_privilege('portal_app', c.oid, 'SELECT') as select,
             has_table_privilege('portal_app', c.oid, 'UPDATE') as update,
             has_table_privilege('portal_app', c.oid, 'DELETE') as delete,
             has_table_privilege('portal_app', c.oid, 'TRUNCATE') as truncate
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'r' order by 1`);
    // A table added by a migration without a line in app-role.sql fails here.
    expect(
      rows.filter((r) => !r.select).map((r) => r.table),
      "tables the portal could not read",
    ).toEqual([]);
    expect(rows.filter((r) => r.truncate).map((r) => r.table)).toEqual([]);
    // sign_in_attempt is a counter, not a record: an attempt is counted before its password is checked
    // and marked successful afterwards (decision 010); the audit log keeps the record of sign-ins.
    const records = ["audit_log", "audit_seal", "disclosure_release", "return_version", "return_version_value", "value_query_message"];
    expect(rows.filter((r) => records.includes(r.table) && (r.update || r.delete)).map((r) => r.table)).toEqual([]);
    expect(rows.length).toBeGreaterThan(15);
  });

  it("is enough to run the portal: signing in, saving, submitting, amending, designing, inviting, all audited", async () => {
    let server: PortalProcess | null = null;
    try {
      server = await spawnPortal({ DATABASE_URL: role.appUrl() });
      const base = () => server!.url;
      const auditBefore = Number((await sql<{ n: number }>`select count(*)::int as n from audit_log`.execute(owner())).rows[0]!.n);
      const officer = new HttpVisitor(base);
      expect((await officer.signIn(OFFICER.cardiff)).status).toBe(302);
      const page = await officer.page(path(CARDIFF));
      const explainedNumber = (n: string) => ({ state: "reported", number: n, queryExplanation: "Checked." });
      const answers = (lockVersion: number, leavers: string) =>
        formAnswers(
          {
            [ITEM]: explainedNumber(leavers),
            care_experienced_parents: explainedNumber("10"),
            care_experienced_mothers: explainedNumber("7"),
            care_experienced_fathers: explainedNumber("3"),
            care_experienced_parents_child_removed: explainedNumber("2"),
          },
          lockVersion,
        );
      expect((await officer.post(path(CARDIFF), { csrf: page.csrf, ...answers(page.lockVersion!, "120") })).status).toBe(302);
      const checkPage = await officer.page(path(CARDIFF, "check"));
      const submitted = await officer.post(path(CARDIFF, "check"), {
        csrf: checkPage.csrf,
        lockVersion: String(checkPage.lockVersion),
        signedOffName: "A",
        signedOffRole: "B",
      });
      expect(submitted.headers.get("Location")).toMatch(/submitted\?version=1$/);
      const amendPage = await officer.page(path(CARDIFF, "amend"));
      expect(
        (
          await officer.post(path(CARDIFF, "amend"), {
            csrf: amendPage.csrf,
            lockVersion: String(amendPage.lockVersion),
            reason: "Recounted",
          })
        ).status,
      ).toBe(302);
      const again = await officer.page(path(CARDIFF));
      expect((await officer.post(path(CARDIFF), { csrf: again.csrf, ...answers(again.lockVersion!, "119") })).status).toBe(302);

      const coordinator = new HttpVisitor(base);
      expect((await coordinator.signIn(COORDINATOR)).status).toBe(302);
      const catalogue = await coordinator.page("/catalogue/new");
      const created = await coordinator.post("/catalogue/new", {
        csrf: catalogue.csrf,
        code: "app_role_item",
        label_en: "Item",
        label_cy: "Eitem",
        definition_en: "Made as the application role.",
        definition_cy: "Wedi'i wneud.",
        min_value: "0",
        max_value: "",
        age_from: "",
        age_to: "",
        parent_code: "",
      });
      expect(created.status).toBe(302);
      expect((await coordinator.post("/catalogue", { csrf: catalogue.csrf, code: "app_role_item" })).status).toBe(302);
      const invite = await coordinator.page("/admin/users/new");
      const invited = await coordinator.post("/admin/users/new", {
        csrf: invite.csrf,
        email: "app.role@authorities.example",
        name: "Invited As App Role",
        role: "officer",
        authorityCode: NEWPORT,
        language: "cy",
      });
      expect(invited.status).toBe(302);
      expect((await coordinator.post("/outbox", { csrf: invite.csrf, intent: "compose" })).status).toBe(302);
      expect((await coordinator.post(`/collections/${OPEN_ROUND}/chase/${NEWPORT}`, { csrf: invite.csrf })).status).toBe(302);
      expect((await officer.post("/logout", { csrf: again.csrf })).status).toBe(302);

      const actions = (
        await sql<{ action: string }>`select distinct action from audit_log where id > (select max(id) from audit_log) - 200`.execute(
          owner(),
        )
      ).rows.map((r) => r.action);
      for (const action of [
        "session.sign_in",
        "value.change",
        "return.submit",
        "return.amend",
        "catalogue.create",
        "catalogue.delete",
        "account.invite",
        "session.sign_out",
      ]) {
        expect(actions, action).toContain(action);
      }
      const auditAfter = Number((await sql<{ n: number }>`select count(*)::int as n from audit_log`.execute(owner())).rows[0]!.n);
      expect(auditAfter).toBeGreaterThan(auditBefore);
      await expectEveryValueAudited(owner() as Kysely<Database>);
      expect(server.output()).not.toMatch(/permission denied/);
    } finally {
      await server?.kill("SIGTERM");
    }
  }, 120_000);

  it("is enough to run the worker: its jobs and leases, its heartbeat, sending the outbox, expiry", async () => {
    const deliveries: Delivery[] = [];
    const relay = await smtpServer("relay", deliveries);
    await owner()
      .insertInto("outbox")
      .values({ kind: "query", to_email: "someone@authorities.example", subject: "A question", body: "Why?" })
      .execute();
    const worker = spawnWorker({ DATABASE_URL: role.appUrl(), SMTP_URL: relay.url });
    try {
      await until("every job run once and the outbox sent, as portal_app", async () => {
        const succeeded = await owner()
          .selectFrom("job")
          .select("name")
          .where("last_succeeded_at", "is not", null)
          .orderBy("name")
          .execute();
        const waiting = await owner().selectFrom("outbox").select("id").where("sent_at", "is", null).execute();
        const allJobs = ["compose_reminders", "expire_sessions_and_invitations", "send_digests", "send_outbox"];
        return succeeded.map((j) => j.name).join() === allJobs.join() && waiting.length === 0;
      }, [worker]);
      expect(deliveries.map((d) => d.to)).toContain("someone@authorities.example");
      expect(await owner().selectFrom("worker_heartbeat").select("worker_id").execute()).toHaveLength(1);
      expect(worker.output()).not.toContain("permission denied");
      expect(await worker.kill("SIGTERM")).toBe(0);
    } finally {
      await worker.kill("SIGKILL");
      await relay.close();
    }
  }, 180_000);
});
