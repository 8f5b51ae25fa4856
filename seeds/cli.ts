import { parseArgs } from "node:util";
import { createDatabase, targetFromEnv } from "#db/connect.ts";
import { migrateToLatest } from "#db/migrator.ts";
import { seedReferenceData } from "./reference.ts";
import { seedDemoData } from "./demo.ts";
import { seedHistory } from "./history.ts";

const { values: args } = parseArgs({
  options: { demo: { type: "boolean", default: false }, history: { type: "string" } },
});
const db = createDatabase(targetFromEnv());
try {
  await migrateToLatest(db);
  await seedReferenceData(db);
  console.log("Loaded the regions, authorities, Census 2021 populations and the item catalogue.");
  if (args.demo) {
    await seedDemoData(db);
    console.log("Loaded the demo rounds and demo accounts (see README).");
  }
  if (args.history) {
    const years = Number(args.history);
    if (!Number.isInteger(years) || years < 1 || years > 50) throw new Error("--history takes a number of years, 1 to 50");
    await seedHistory(db, { years });
    console.log(`Loaded ${years} years of benchmark history (${years * 4} rounds).`);
  }
} finally {
  await db.destroy();
}
