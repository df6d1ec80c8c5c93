import { twilioWebhookRoute } from "@/app/api/_http/webhook-route";

// Alias kept for Twilio Console configurations of the systems Hilo replaces; same handler and signature check (over this URL).

export const dynamic = "force-dynamic";
export const POST = twilioWebhookRoute("message-status");
