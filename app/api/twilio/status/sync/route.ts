import { apiRoute } from "@/app/api/_http/api-route";
import { readJson, validationError } from "@/lib/api/errors";
import { getConfig } from "@/lib/config";
import { syncEnvelopeSchema, syncMessages } from "@/lib/status/sync";
import { createTwilioClient } from "@/lib/twilio/client";

export const dynamic = "force-dynamic";

export const POST = apiRoute(async ({ req, db }) => {
  const parsed = syncEnvelopeSchema.safeParse(await readJson(req));
  if (!parsed.success) throw validationError(parsed.error, "sync request");
  return Response.json(await syncMessages(db.sql, createTwilioClient(getConfig().twilio), parsed.data.messageSids));
}, { role: "admin" });
