import { Select } from "#app/components/govuk.tsx";
import { pick } from "#app/i18n/i18n.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";

/** A choice of what an item's rates are per 10,000 of: a loaded denominator, or (empty) the round's own. */
export function DenominatorSelect({
  denominators,
  ...field
}: {
  id: string;
  name: string;
  label: string;
  hint?: string;
  denominators: { code: string; label_en: string; label_cy: string }[];
  defaultValue: string;
  error?: string;
}) {
  const t = useTranslation();
  return (
    <Select
      {...field}
      errorPrefix={t("page.errorPrefix")}
      options={[
        { value: "", text: t("itemForm.roundDenominator") },
        ...denominators.map((d) => ({ value: d.code, text: t("denominators.per", { label: pick(t.lang, d, "label") }) })),
      ]}
    />
  );
}
