import { apiRoute } from "@/app/api/_http/api-route";
import { getConfig } from "@/lib/config";
import { createTwilioClient } from "@/lib/twilio/client";
import { filterTemplates, listApprovedTemplates, templatesQuerySchema } from "@/lib/twilio/templates";

export const dynamic = "force-dynamic";

/** The account's WhatsApp-approved Content templates (session or API key); `?refresh=true` asks Twilio again. */
export const GET = apiRoute({ schema: { query: templatesQuerySchema }, what: "query" }, async ({ query }) => {
  const templates = await listApprovedTemplates(createTwilioClient(getConfig().twilio), { refresh: query.refresh });
  return Response.json({ templates: filterTemplates(templates, query) });
});
