import { parseArgs } from "node:util";
import { createDatabase, targetFromEnv } from "#db/connect.ts";
import { migrateToLatest } from "#db/migrator.ts";
import { seedReferenceData } from "./reference.ts";
import { seedDemoData } from "./demo.ts";

const { values: args } = parseArgs({ options: { demo: { type: "boolean", default: false } } });
const db = createDatabase(targetFromEnv());
try {
  await migrateToLatest(db);
  await seedReferenceData(db);
  console.log("Loaded the regions, authorities, Census 2021 populations and the item catalogue.");
  if (args.demo) {
    await seedDemoData(db);
    console.log("Loaded the demo rounds and demo accounts (see README).");
  }
} finally {
  await db.destroy();
}
