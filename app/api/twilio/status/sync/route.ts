import { apiRoute } from "@/app/api/_http/api-route";
import { getConfig } from "@/lib/config";
import { syncEnvelopeSchema, syncMessages } from "@/lib/status/sync";
import { createTwilioClient } from "@/lib/twilio/client";

export const dynamic = "force-dynamic";

export const POST = apiRoute({ role: "admin", schema: { body: syncEnvelopeSchema }, what: "sync request" }, async ({ db, body }) =>
  Response.json(await syncMessages(db.sql, createTwilioClient(getConfig().twilio), body.messageSids)),
);
