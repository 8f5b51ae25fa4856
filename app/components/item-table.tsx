import { useId, type ReactNode } from "react";
import { TableWrapper } from "#app/components/govuk.tsx";
import { describeDeviation, type DeviationFields } from "#app/domain/values.ts";
import { DeviationText, WrittenText } from "#app/components/written-text.tsx";
import { pick, sortForDisplay, type MessageKey, type Translator } from "#app/i18n/i18n.ts";
import type { Language } from "#db/types.ts";

interface Item {
  code: string;
  label_en: string;
  label_cy: string;
}
interface Named {
  code: string;
  name_en: string;
  name_cy: string;
}

/**
 * A table of one row per region or authority (its name as the row header), then optional columns
 * about the row, then one column per item of a collection, each cell drawn by `cell`.
 */
export function ItemTable<Row extends Named>({
  t,
  caption,
  firstColumn,
  items,
  rows,
  cell,
  rowColumns = [],
  id,
  className = "govuk-table",
}: {
  t: Translator;
  caption: string;
  firstColumn: string;
  items: Item[];
  rows: Row[];
  /** `column`: the item's index in `items`. */
  cell: (row: Row, item: Item, column: number) => ReactNode;
  rowColumns?: { header: string; cell: (row: Row) => ReactNode }[];
  id?: string;
  className?: string;
}) {
  const captionId = useId();
  return (
    <TableWrapper captionId={captionId}>
      <table className={className} id={id}>
        <caption id={captionId} className="govuk-table__caption govuk-visually-hidden">
          {caption}
        </caption>
        <thead className="govuk-table__head">
          <tr className="govuk-table__row">
            {[firstColumn, ...rowColumns.map((c) => c.header)].map((header) => (
              <th key={header} scope="col" className="govuk-table__header">
                {header}
              </th>
            ))}
            {items.map((item) => (
              <th key={item.code} scope="col" className="govuk-table__header">
                {pick(t.lang, item, "label")}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="govuk-table__body">
          {rows.map((row) => (
            <tr key={row.code} className="govuk-table__row">
              <th scope="row" className="govuk-table__header">
                {pick(t.lang, row, "name")}
              </th>
              {rowColumns.map((column) => (
                <td key={column.header} className="govuk-table__cell">
                  {column.cell(row)}
                </td>
              ))}
              {items.map((item, column) => (
                <td key={item.code} className="govuk-table__cell">
                  {cell(row, item, column)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrapper>
  );
}

/** The regions' totals for each item: the figure (as the page words it) and how many authorities it is from. */
export function RegionTotalsTable<Total extends { itemCode: string; regionCode: string | null; comparable: number; expected: number }>({
  t,
  items,
  regions,
  totals,
  figure,
}: {
  t: Translator;
  items: Item[];
  regions: Named[];
  totals: Total[];
  figure: (total: Total) => string;
}) {
  return (
    <ItemTable
      t={t}
      caption={t("collection.regions.caption")}
      firstColumn={t("collection.authorities.region")}
      items={items}
      rows={sortForDisplay(t.lang, regions, (region) => pick(t.lang, region, "name"))}
      cell={(region, item) => {
        const total = totals.find((r) => r.itemCode === item.code && r.regionCode === region.code)!;
        return (
          <>
            <span className="govuk-!-font-weight-bold">{figure(total)}</span>
            <span className="govuk-body-s govuk-!-display-block govuk-!-margin-bottom-0">
              {t("collection.regions.coverage", { comparable: total.comparable, expected: total.expected })}
            </span>
          </>
        );
      }}
    />
  );
}

/**
 * An authority's figure as the page words it, marked when it was counted differently, with how,
 * the reason given (where the page shows reasons) and its caveat under it.
 */
export function AuthorityFigure({
  t,
  value,
  text,
  withReason = false,
}: {
  t: Translator;
  /** `deviation`: how a figure that cannot be compared was counted (deviationOf), null for any other value. */
  value: { deviation: DeviationFields | null; reason?: string | null; caveat: string | null; textLang?: Language | null };
  text: string;
  withReason?: boolean;
}) {
  const deviation = value.deviation && describeDeviation(t, value.deviation) !== "" ? value.deviation : null;
  const notes: [MessageKey, string | null | undefined][] = [
    ["value.reason", withReason ? value.reason : null],
    ["value.caveat", value.caveat],
  ];
  return (
    <>
      {deviation ? <span className="app-non-comparable">{text}</span> : text}
      {deviation ? (
        <span className="govuk-body-s govuk-!-display-block">
          {t("value.nonComparable")}: <DeviationText t={t} value={deviation} />
        </span>
      ) : null}
      {notes.map(([label, note]) =>
        note ? (
          <span key={label} className="govuk-body-s govuk-!-display-block">
            {t(label)}: <WrittenText t={t} text={note} lang={value.textLang} />
          </span>
        ) : null,
      )}
    </>
  );
}
