import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { decideUncertain } from "#app/models/outbox.server.ts";
import { UNCERTAIN_DECISIONS } from "#app/schema/outbox.ts";
import { requireCsrf } from "#app/auth/auth.server.ts";
import { guard } from "#app/auth/guard.server.ts";
import { field, readForm } from "#app/web/forms.ts";
import { deliverInBackground } from "#app/email/mailer.server.ts";
import { actorOf } from "#app/web/return-page.server.ts";

/**
 * A decision is a POST from the outbox page; whoever arrives here otherwise (signed in again after
 * their session ended mid-post, say) goes back to that page.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  await guard("routes/outbox_.$emailId.decide", "loader", { request, params });
  throw redirect("/outbox");
}

/** A coordinator's decision about an email that may or may not have been sent: send it again, or mark it sent. */
export async function action({ request, params }: ActionFunctionArgs) {
  const { user, db } = await guard("routes/outbox_.$emailId.decide", "action", { request, params });
  const form = await readForm(request);
  requireCsrf(user, form);
  const id = params.emailId ?? "";
  const decision = UNCERTAIN_DECISIONS.find((d) => d === field(form, "decision"));
  const decided = decision !== undefined && /^\d{1,18}$/.test(id) && (await decideUncertain(db, { id, decision, actor: actorOf(user) }));
  if (decided && decision === "send_again") deliverInBackground();
  throw redirect(`/outbox?decided=${decided ? decision : "none"}`);
}
