import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { revokeApiToken } from "#app/models/api-token.server.ts";
import { notFound, requireCsrf } from "#app/auth/auth.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { field, readForm } from "#app/web/forms.ts";

/**
 * A revocation is a POST from the token list; whoever arrives here otherwise (signed in again after
 * their session ended mid-post, say) goes back to that list.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  await guard("routes/api-tokens.revoke", "loader", { request, params });
  throw redirect("/api-tokens");
}

/** Revokes one of the tokens the person may see (their own, those they made; an admin's: any). */
export async function action({ request, params }: ActionFunctionArgs) {
  const { user, db } = await guard("routes/api-tokens.revoke", "action", { request, params });
  const form = await readForm(request);
  requireCsrf(user, form);
  const id = field(form, "tokenId");
  if (!/^\d{1,9}$/.test(id)) throw new Response("Choose a token to revoke.", { status: 400 });
  const result = await revokeApiToken(db, user, Number(id));
  if (!result.ok) throw notFound();
  throw redirect("/api-tokens?revoked=1");
}
