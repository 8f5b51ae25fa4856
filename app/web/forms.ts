import { data, type AppLoadContext } from "@remix-run/node";
import type { z } from "zod";
import type { MessageKey } from "#app/i18n/i18n.ts";
import { fieldErrors } from "#app/schema/forms.ts";

/** The hidden field that carries the CSRF token in every data-changing form. */
export const CSRF_FIELD = "csrf";

/** Reading submitted forms: every field is a string or absent, however the request was crafted. */
export function field(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}

/** A request body that is not a form at all gets a 400, never a 500. */
export async function readForm(request: Request): Promise<FormData> {
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    throw new Response("The form could not be read.", { status: 400 });
  }
  // Nobody types a NUL character, and PostgreSQL cannot store one in text: a form carrying one
  // is refused whole here, rather than failing in the database with a 500.
  for (const [, value] of form) {
    if (typeof value === "string" && value.includes("\u0000")) throw new Response("The form could not be read.", { status: 400 });
  }
  return form;
}

/**
 * An action's answer to a form it refused: the errors, with 400, and a flag for the root loader
 * (which runs after the action in the same request) so that the page title starts "Error:".
 * Forms with validation are plain HTML forms, posted as a whole page, so this holds with and
 * without JavaScript.
 */
export function refuseForm<T>(context: AppLoadContext, payload: T, status = 400) {
  context.pageHasErrors = true;
  return data(payload, { status });
}

/** A form checked against a zod schema from app/schema: its data, or each field's first error (a message key). */
export type FormResult<T> =
  | { ok: true; data: T; input: Record<string, string> }
  | { ok: false; errors: Partial<Record<string, MessageKey>>; input: Record<string, string> };

/**
 * Reads the fields a schema names from a posted form, as strings (absent or a file: ""), and
 * checks them with the schema. Routes validate through this and the shared schemas only.
 */
export function parseForm<S extends z.ZodType<unknown, Record<string, string>>>(
  form: FormData,
  schema: S,
  fields: readonly string[],
): FormResult<z.output<S>> {
  const input = Object.fromEntries(fields.map((name) => [name, field(form, name)]));
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, data: parsed.data, input };
  return { ok: false, errors: fieldErrors(parsed.error), input };
}
