/**
 * npm run audit:verify: walks the audit log's hash chain and says either OK, with the number of
 * rows and the last hash (keep it somewhere else: a later run must show the same chain continuing),
 * or the first row where the chain breaks, exiting 1. Reads DATABASE_URL (the portal's role will
 * do), or the embedded database's folder when the portal is not running.
 */
import { createDatabase, targetFromEnv } from "#db/connect.ts";
import { verifyAuditChain } from "#app/models/audit.server.ts";

const WHY = {
  changed: "its content is not what was sealed",
  missing: "it has been removed",
  relinked: "its seal does not follow the one before",
  unsealed: "it was written without a seal",
};

const db = createDatabase(targetFromEnv());
try {
  const report = await verifyAuditChain(db);
  if (report.ok) {
    console.log(`audit log: OK, ${report.rows} rows chained; last hash ${report.lastHash ?? "(none: the log is empty)"}`);
  } else {
    console.log(`audit log: BROKEN at row ${report.brokenAt}: ${WHY[report.why]} (${report.rows} rows before it verified)`);
    process.exitCode = 1;
  }
} finally {
  await db.destroy();
}
