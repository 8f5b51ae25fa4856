import { TextInput } from "#app/components/govuk.tsx";
import type { Translator } from "#app/i18n/i18n.ts";

/** The box for the 6-digit code an authenticator app shows, wherever the portal asks for one. */
export function AppCodeInput({ t, error }: { t: Translator; error?: string }) {
  return (
    <TextInput
      id="code"
      name="code"
      label={t("login.code.label")}
      labelClassName="govuk-label govuk-label--s"
      hint={t("login.code.hint")}
      inputMode="numeric"
      autoComplete="one-time-code"
      spellCheck={false}
      width={5}
      error={error}
      errorPrefix={t("page.errorPrefix")}
    />
  );
}
