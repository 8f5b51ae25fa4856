import type { MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { openApiDocument } from "#app/api/openapi.server.ts";
import { PROBLEM_KINDS } from "#app/api/problem-kinds.ts";
import type { MessageKey } from "#app/i18n/i18n.ts";
import { pageTitle } from "#app/web/meta.ts";
import { useTranslation } from "#app/i18n/use-translation.ts";

export const meta: MetaFunction<typeof loader> = ({ matches }) => pageTitle(matches, (t) => t("apiDocs.title"));

interface Schema {
  type?: string | string[];
  $ref?: string;
  anyOf?: Schema[];
  items?: Schema;
  enum?: unknown[];
  format?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  required?: string[];
}
interface Operation {
  operationId: string;
  requestBody?: unknown;
  responses: Record<string, unknown>;
}

/** The reference, rendered here from the OpenAPI document itself: no script, nothing from another origin. */
export async function loader() {
  const doc = openApiDocument() as {
    paths: Record<string, Record<string, Operation | unknown>>;
    components: { schemas: Record<string, Schema> };
  };
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([method]) => ["get", "put", "post"].includes(method))
      .map(([method, op]) => {
        const operation = op as Operation;
        return {
          method: method.toUpperCase(),
          path: `/api/v1${path}`,
          id: operation.operationId,
          statuses: Object.keys(operation.responses),
        };
      }),
  );
  const schemas = Object.entries(doc.components.schemas).map(([id, schema]) => ({
    id,
    properties: Object.entries(schema.properties ?? {}).map(([name, property]) => ({
      name,
      type: typeText(property),
      required: schema.required?.includes(name) ?? false,
    })),
  }));
  return { operations, schemas };
}

/**
 * A schema's type as a short expression, the same in both languages (no English words on the Welsh
 * page): string, integer | null, Value[], { [key: string]: Value }.
 */
function typeText(schema: Schema): string {
  if (schema.$ref) return schema.$ref.split("/").at(-1)!;
  if (schema.anyOf) return schema.anyOf.map(typeText).join(" | ");
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (schema.type === "array" && schema.items) {
    const item = typeText(schema.items);
    return item.includes(" ") ? `(${item})[]` : `${item}[]`;
  }
  if (schema.type === "object" && typeof schema.additionalProperties === "object")
    return `{ [key: string]: ${typeText(schema.additionalProperties)} }`;
  const type = Array.isArray(schema.type) ? schema.type.join(" | ") : (schema.type ?? "any");
  return schema.format ? `${type} (${schema.format})` : type;
}

const EXAMPLE = { seconds: "N", sent: "N", current: "N", status: "submitted", limit: "N KB" };

export default function ApiReference() {
  const { operations, schemas } = useLoaderData<typeof loader>();
  const t = useTranslation();
  return (
    <div className="govuk-grid-row">
      <div className="govuk-grid-column-full">
        <h1 className="govuk-heading-l">{t("apiDocs.title")}</h1>
        <p className="govuk-body-l">{t("apiDocs.lead")}</p>
        <p className="govuk-body">
          <a href="/api/v1/openapi.json" className="govuk-link">
            {t("apiDocs.document")}
          </a>
          {" · "}
          <Link to="/api-tokens" className="govuk-link">
            {t("apiDocs.tokens")}
          </Link>
        </p>

        <h2 className="govuk-heading-m">{t("apiDocs.auth.title")}</h2>
        <p className="govuk-body">{t("apiDocs.auth.body")}</p>
        <pre className="app-code">
          <code>Authorization: Bearer wdr_…</code>
        </pre>
        <p className="govuk-body">{t("apiDocs.auth.submit")}</p>

        <h2 className="govuk-heading-m">{t("apiDocs.operations")}</h2>
        {operations.map((op) => (
          <section key={`${op.method} ${op.path}`} aria-labelledby={`op-${op.id}`}>
            <h3 className="govuk-heading-s" id={`op-${op.id}`}>
              <code className="app-code-inline">{`${op.method} ${op.path}`}</code>
            </h3>
            <p className="govuk-body">{t(`api.op.${op.id}` as MessageKey)}</p>
            <p className="govuk-body-s">{t("apiDocs.statuses", { statuses: op.statuses.join(", ") })}</p>
          </section>
        ))}

        <h2 className="govuk-heading-m">{t("apiDocs.problems")}</h2>
        <p className="govuk-body">{t("apiDocs.problems.lead")}</p>
        <dl className="govuk-summary-list">
          {PROBLEM_KINDS.map((kind) => (
            <div className="govuk-summary-list__row" key={kind} id={`problem-${kind}`}>
              <dt className="govuk-summary-list__key">{t(`api.problem.${kind}.title` as MessageKey)}</dt>
              <dd className="govuk-summary-list__value">{t(`api.problem.${kind}.detail` as MessageKey, EXAMPLE)}</dd>
            </div>
          ))}
        </dl>

        <h2 className="govuk-heading-m">{t("apiDocs.schemas")}</h2>
        {schemas.map((schema) => (
          <table className="govuk-table" key={schema.id} id={`schema-${schema.id}`}>
            <caption className="govuk-table__caption govuk-table__caption--s">{schema.id}</caption>
            <thead className="govuk-table__head">
              <tr className="govuk-table__row">
                <th scope="col" className="govuk-table__header">
                  {t("apiDocs.field")}
                </th>
                <th scope="col" className="govuk-table__header">
                  {t("apiDocs.type")}
                </th>
                <th scope="col" className="govuk-table__header">
                  {t("apiDocs.required")}
                </th>
              </tr>
            </thead>
            <tbody className="govuk-table__body">
              {schema.properties.map((p) => (
                <tr className="govuk-table__row" key={p.name}>
                  <td className="govuk-table__cell">
                    <code className="app-code-inline">{p.name}</code>
                  </td>
                  <td className="govuk-table__cell">
                    <code className="app-code-inline">{p.type}</code>
                  </td>
                  <td className="govuk-table__cell">{p.required ? t("apiDocs.yes") : t("apiDocs.no")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      </div>
    </div>
  );
}
