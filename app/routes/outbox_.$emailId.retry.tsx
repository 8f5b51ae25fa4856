import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { retryDeadLetter } from "#app/models/outbox.server.ts";
import { requireCsrf } from "#app/auth/auth.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { readForm } from "#app/web/forms.ts";
import { deliverInBackground } from "#app/email/mailer.server.ts";
import { actorOf } from "#app/web/return-page.server.ts";

/**
 * A retry is a POST from the outbox page; whoever arrives here otherwise (signed in again after
 * their session ended mid-post, say) goes back to that page.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  await guard("routes/outbox_.$emailId.retry", "loader", { request, params });
  throw redirect("/outbox");
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, db } = await guard("routes/outbox_.$emailId.retry", "action", { request, params });
  requireCsrf(user, await readForm(request));
  const id = params.emailId ?? "";
  const retried = /^\d{1,18}$/.test(id) && (await retryDeadLetter(db, { id, actor: actorOf(user) }));
  if (retried) deliverInBackground();
  throw redirect(`/outbox?retried=${retried ? 1 : 0}`);
}
