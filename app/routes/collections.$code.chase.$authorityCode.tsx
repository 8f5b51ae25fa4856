import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { findAuthority } from "#app/models/authority.server.ts";
import { queueChase } from "#app/models/outbox.server.ts";
import { notFound, requireCsrf } from "#app/auth/auth.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { readForm } from "#app/web/forms.ts";
import { deliverInBackground, publicBaseUrl } from "#app/email/mailer.server.ts";
import { actorOf } from "#app/web/return-page.server.ts";

/** A chase is a POST from the completeness board; there is nothing to show at this address. */
export async function loader() {
  throw notFound();
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, db, collection } = await guard("routes/collections.$code.chase.$authorityCode", "action", { request, params });
  requireCsrf(user, await readForm(request));
  const authority = await findAuthority(db, params.authorityCode ?? "");
  if (!authority) throw notFound();
  const result = await queueChase(db, {
    collectionId: collection.id,
    authorityCode: authority.code,
    actor: actorOf(user),
    baseUrl: publicBaseUrl(request),
  });
  if (result.ok && result.queued > 0) deliverInBackground();
  throw redirect(`/collections/${encodeURIComponent(collection.code)}/board`);
}
