import type { Language } from "#db/types.ts";
import type { SessionUser } from "#app/auth/auth.server.ts";
import { isLanguage } from "#app/i18n/i18n.ts";

/** An export's language: ?lang=cy or ?lang=en, otherwise the person's own. */
export function exportLanguage(request: Request, user: SessionUser): Language {
  const asked = new URL(request.url).searchParams.get("lang");
  return isLanguage(asked) ? asked : user.language;
}

export function attachmentHeaders(fileName: string, contentType: string): HeadersInit {
  return {
    "Content-Type": contentType,
    "Content-Disposition": `attachment; filename="${fileName}"`,
    "Cache-Control": "no-store",
  };
}
