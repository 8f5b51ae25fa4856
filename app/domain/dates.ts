// Built once: an Intl object costs far more to build than to use.
const WALES_ISO_DATE = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/London" });

/** Today's date in Wales, as an ISO date ("2026-11-23"). */
export function todayInWales(now = new Date()) {
  return WALES_ISO_DATE.format(now);
}

/** Whole days from one ISO date to another: negative when the second is earlier. */
export function daysBetween(fromIso: string, toIso: string) {
  return Math.round((Date.parse(`${toIso}T00:00:00Z`) - Date.parse(`${fromIso}T00:00:00Z`)) / 86_400_000);
}
