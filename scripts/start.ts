/**
 * npm start: the portal as production runs it. NODE_ENV=production loads React's and express's
 * production code: without it the board, gaps, totals and trend pages cost 15 to 30% more CPU
 * (docs/decisions/007-performance.md). On PostgreSQL (DATABASE_URL) every production setting is
 * the operator's to give, and the portal refuses to start without SESSION_SECRET. On the embedded
 * database, which is for trying the portal at http://localhost, this fills in what a newcomer has
 * not set: the folder, the address (plain http, so cookies are not marked Secure: Safari refuses
 * Secure cookies there) and a session secret of this run's own (restarting signs everyone out).
 */
import { randomBytes } from "node:crypto";

process.env.NODE_ENV ??= "production";
if (!process.env.DATABASE_URL) {
  process.env.PGLITE_DATA_DIR ??= "./data";
  process.env.PUBLIC_URL ??= `http://localhost:${process.env.PORT ?? 3000}`;
  process.env.SESSION_SECRET ??= randomBytes(32).toString("base64url");
}
// Imported only now, so that everything it loads sees the settings above.
await import("../server.ts");
