import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { findAuthority } from "#app/models/authority.server.ts";
import { getCollection } from "#app/models/collection.server.ts";
import { queueChase } from "#app/models/outbox.server.ts";
import { notFound, requireCsrf, requireUser } from "#app/auth/auth.server.ts";
import { getDb } from "#app/db.server.ts";
import { readForm } from "#app/web/forms.ts";
import { deliverInBackground, publicBaseUrl } from "#app/email/mailer.server.ts";
import { actorOf } from "#app/web/return-page.server.ts";

/** A chase is a POST from the completeness board; there is nothing to show at this address. */
export async function loader() {
  throw notFound();
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request, ["coordinator"]);
  requireCsrf(user, await readForm(request));
  const db = await getDb();
  const [collection, authority] = await Promise.all([getCollection(db, params.code ?? ""), findAuthority(db, params.authorityCode ?? "")]);
  if (!collection || collection.status === "draft" || !authority) throw notFound();
  const result = await queueChase(db, {
    collectionId: collection.id,
    authorityCode: authority.code,
    actor: actorOf(user),
    baseUrl: publicBaseUrl(request),
  });
  if (result.ok && result.queued > 0) deliverInBackground();
  throw redirect(`/collections/${encodeURIComponent(collection.code)}/board`);
}
