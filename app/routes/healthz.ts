import { sql } from "kysely";
import { getDb } from "#app/db.server.ts";

export async function loader() {
  try {
    const db = await getDb();
    await sql`select 1`.execute(db);
    return new Response("ok", { status: 200, headers: { "Content-Type": "text/plain", "Cache-Control": "no-store" } });
  } catch {
    return new Response("database unavailable", { status: 503, headers: { "Content-Type": "text/plain", "Cache-Control": "no-store" } });
  }
}
