import type { Translator } from "#app/i18n/i18n.ts";

/** Says, once on a page, why the reader sees coverage in place of some of its totals. */
export function WithheldNote({ t, totals }: { t: Translator; totals: { withheld: boolean }[] }) {
  if (!totals.some((total) => total.withheld)) return null;
  return (
    <p className="govuk-inset-text" id="withheld-note">
      {t("totals.withheldWhy")}
    </p>
  );
}
