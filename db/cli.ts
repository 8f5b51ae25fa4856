import { parseArgs } from "node:util";
import { NO_MIGRATIONS } from "kysely/migration";
import { createDatabase, targetFromEnv } from "./connect.ts";
import { createMigrator } from "./migrator.ts";

const { positionals } = parseArgs({ allowPositionals: true });
const command = positionals[0] ?? "migrate";
const db = createDatabase(targetFromEnv());
try {
  const migrator = createMigrator(db);
  const { error, results } =
    command === "down"
      ? await migrator.migrateDown()
      : command === "reset"
        ? await migrator.migrateTo(NO_MIGRATIONS)
        : await migrator.migrateToLatest();
  for (const r of results ?? []) console.log(`${r.status.padEnd(8)} ${r.direction.padEnd(4)} ${r.migrationName}`);
  if (error) {
    console.error("Migration failed:", error);
    process.exitCode = 1;
  } else if (!results?.length) console.log("Nothing to do: the database is up to date.");
} finally {
  await db.destroy();
}
