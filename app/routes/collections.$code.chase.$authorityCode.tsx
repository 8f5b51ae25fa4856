import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { findAuthority } from "#app/models/authority.server.ts";
import { queueChase } from "#app/models/outbox.server.ts";
import { notFound, requireCsrf } from "#app/auth/auth.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { field, readForm } from "#app/web/forms.ts";
import { deliverInBackground, publicBaseUrl } from "#app/email/mailer.server.ts";
import { actorOf } from "#app/web/return-page.server.ts";

/**
 * A chase is a POST from the completeness board; whoever arrives here otherwise (signed in again
 * after their session ended mid-post, say) goes back to the board.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { collection } = await guard("routes/collections.$code.chase.$authorityCode", "loader", { request, params });
  throw redirect(`/collections/${encodeURIComponent(collection.code)}/board`);
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, db, collection } = await guard("routes/collections.$code.chase.$authorityCode", "action", { request, params });
  const form = await readForm(request);
  requireCsrf(user, form);
  const authority = await findAuthority(db, params.authorityCode ?? "");
  if (!authority) throw notFound();
  const result = await queueChase(db, {
    collectionId: collection.id,
    authorityCode: authority.code,
    actor: actorOf(user),
    baseUrl: publicBaseUrl(),
  });
  if (result.ok && result.queued > 0) deliverInBackground();
  // Back to the board as the coordinator left it (its filters and sort), saying what was sent.
  const board = `/collections/${encodeURIComponent(collection.code)}/board`;
  const returnTo = field(form, "returnTo");
  const back = new URLSearchParams(returnTo.startsWith(`${board}?`) ? returnTo.slice(board.length + 1) : "");
  back.delete("chased");
  back.delete("refused");
  back.delete("accepted");
  back.set("chased", authority.code);
  if (!result.ok) back.set("refused", result.reason);
  throw redirect(`${board}?${back.toString()}`);
}
