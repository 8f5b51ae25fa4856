/** What a bulk import will load: each authority's answers, as the shared schema read them. */
import type { ImportAuthority } from "#app/models/import.server.ts";
import { formatNumber, pick, type Translator } from "#app/i18n/i18n.ts";
import { describeDeviation } from "#app/domain/values.ts";
import { TableWrapper } from "#app/components/govuk.tsx";
import { useId } from "react";

export function ImportPreview({
  t,
  authorities,
  items,
}: {
  t: Translator;
  authorities: ImportAuthority[];
  items: { code: string; label_en: string; label_cy: string }[];
}) {
  const label = new Map(items.map((item) => [item.code, pick(t.lang, item, "label")]));
  const captionId = useId();
  return (
    <TableWrapper captionId={captionId}>
      <table className="govuk-table">
        <caption id={captionId} className="govuk-table__caption govuk-table__caption--m">
          {t("import.preview.caption", { count: authorities.length })}
        </caption>
        <thead className="govuk-table__head">
          <tr className="govuk-table__row">
            <th scope="col" className="govuk-table__header">
              {t("collection.authorities.authority")}
            </th>
            <th scope="col" className="govuk-table__header">
              {t("collection.totals.item")}
            </th>
            <th scope="col" className="govuk-table__header">
              {t("export.column.answer")}
            </th>
            <th scope="col" className="govuk-table__header">
              {t("import.preview.details")}
            </th>
          </tr>
        </thead>
        <tbody className="govuk-table__body">
          {authorities.flatMap((authority) =>
            authority.itemCodes.map((code, i) => {
              const value = authority.values[code]!;
              const deviation = value.state === "reported" ? describeDeviation(t, value) : "";
              const details = [
                deviation ? `${t("export.notes.kind.deviation")}: ${deviation}` : "",
                value.reason ? `${t("value.reason")}: ${value.reason}` : "",
                value.caveat ? `${t("value.caveat")}: ${value.caveat}` : "",
              ].filter(Boolean);
              return (
                <tr key={`${authority.code}:${code}`} className="govuk-table__row">
                  {i === 0 ? (
                    <th scope="rowgroup" rowSpan={authority.itemCodes.length} className="govuk-table__header">
                      {pick(t.lang, authority, "name")}
                      {authority.replacesDraft ? (
                        <span className="govuk-body-s govuk-!-display-block">{t("import.preview.replacesDraft")}</span>
                      ) : null}
                    </th>
                  ) : null}
                  <td className="govuk-table__cell">{label.get(code) ?? code}</td>
                  <td className="govuk-table__cell">
                    {value.state === "reported" && value.number !== null
                      ? formatNumber(t.lang, value.number)
                      : value.state
                        ? t(`state.${value.state}`)
                        : t("state.blank")}
                  </td>
                  <td className="govuk-table__cell app-preserve-lines">{details.join("\n")}</td>
                </tr>
              );
            }),
          )}
        </tbody>
      </table>
    </TableWrapper>
  );
}
