import { twilioWebhookRoute } from "@/app/api/_http/webhook-route";

export const dynamic = "force-dynamic";
export const POST = twilioWebhookRoute("whatsapp");
