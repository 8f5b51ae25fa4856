import { pick, type Translator } from "#app/i18n/i18n.ts";

/** The caption and header row of a table with one column per item of a collection. */
export function ItemTableHead({
  t,
  caption,
  firstColumn,
  items,
}: {
  t: Translator;
  caption: string;
  firstColumn: string;
  items: { code: string; label_en: string; label_cy: string }[];
}) {
  return (
    <>
      <caption className="govuk-table__caption govuk-visually-hidden">{caption}</caption>
      <thead className="govuk-table__head">
        <tr className="govuk-table__row">
          <th scope="col" className="govuk-table__header">
            {firstColumn}
          </th>
          {items.map((item) => (
            <th key={item.code} scope="col" className="govuk-table__header">
              {pick(t.lang, item, "label")}
            </th>
          ))}
        </tr>
      </thead>
    </>
  );
}
