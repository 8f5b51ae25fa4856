import type { Kysely } from "kysely";
import { Migrator, type Migration, type MigrationProvider } from "kysely/migration";
import * as initialModel from "./migrations/2026-11-23T1300-initial-model.ts";
import * as sessionsAndSignIn from "./migrations/2026-11-23T1400-sessions-and-sign-in.ts";
import * as coordinatorDesk from "./migrations/2026-11-23T1500-coordinator-desk.ts";
import * as imports from "./migrations/2026-11-23T1600-imports.ts";
import * as historyLookups from "./migrations/2026-12-02T1030-history-lookups.ts";
import * as statisticsPublication from "./migrations/2026-12-02T1300-statistics-publication.ts";
import * as honestFigures from "./migrations/2026-12-02T1310-honest-figures.ts";
import * as apiTokens from "./migrations/2026-12-02T1500-api-tokens.ts";
import * as scheduledWork from "./migrations/2026-12-02T1600-scheduled-work.ts";
import * as accounts from "./migrations/2026-12-02T1610-accounts.ts";
import * as auditChain from "./migrations/2026-12-02T1620-audit-chain.ts";
import * as twoFactor from "./migrations/2026-12-02T1640-two-factor.ts";
import * as notifications from "./migrations/2026-12-02T1700-notifications.ts";
import * as latestEarlierRound from "./migrations/2026-12-02T1710-latest-earlier-round.ts";
import * as outboxHandover from "./migrations/2026-12-02T1740-outbox-handover.ts";
import * as outboxLanguage from "./migrations/2026-12-02T2040-outbox-language.ts";
import * as reminderNotifications from "./migrations/2026-12-02T2100-reminder-notifications.ts";
import * as textLanguage from "./migrations/2026-12-02T2100-text-language.ts";
import * as disclosureReleases from "./migrations/2026-12-04T0300-disclosure-releases.ts";
import * as flagsAsked from "./migrations/2026-12-04T0310-flags-asked.ts";
import * as accountReasonLanguage from "./migrations/2026-12-04T1030-account-reason-language.ts";

// Listed here rather than read from the folder at run time, so that the bundled server build,
// the command line and the tests all run exactly the same migrations.
const migrations: Record<string, Migration> = {
  "2026-11-23T1300-initial-model": initialModel,
  "2026-11-23T1400-sessions-and-sign-in": sessionsAndSignIn,
  "2026-11-23T1500-coordinator-desk": coordinatorDesk,
  "2026-11-23T1600-imports": imports,
  "2026-12-02T1030-history-lookups": historyLookups,
  "2026-12-02T1300-statistics-publication": statisticsPublication,
  "2026-12-02T1310-honest-figures": honestFigures,
  "2026-12-02T1500-api-tokens": apiTokens,
  "2026-12-02T1600-scheduled-work": scheduledWork,
  "2026-12-02T1610-accounts": accounts,
  "2026-12-02T1620-audit-chain": auditChain,
  "2026-12-02T1640-two-factor": twoFactor,
  "2026-12-02T1700-notifications": notifications,
  "2026-12-02T1710-latest-earlier-round": latestEarlierRound,
  "2026-12-02T1740-outbox-handover": outboxHandover,
  "2026-12-02T2040-outbox-language": outboxLanguage,
  "2026-12-02T2100-reminder-notifications": reminderNotifications,
  "2026-12-02T2100-text-language": textLanguage,
  "2026-12-04T0300-disclosure-releases": disclosureReleases,
  "2026-12-04T0310-flags-asked": flagsAsked,
  "2026-12-04T1030-account-reason-language": accountReasonLanguage,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export function createMigrator(db: Kysely<any>) {
  return new Migrator({ db, provider });
}

export async function migrateToLatest(db: Kysely<any>) {
  const { error, results } = await createMigrator(db).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName;
    throw new Error(`Migration ${failed ?? "(unknown)"} failed`, { cause: error });
  }
  return results ?? [];
}
