import { z } from "zod";
import { TWILIO_STATUSES } from "@/lib/status/ranking";
import { WEBHOOK_MESSAGE_SID_RE } from "@/lib/ids";

/** Twilio posts form fields; every one is kept, only these are required to be a message. */
const sid = z.string().regex(WEBHOOK_MESSAGE_SID_RE, "must be a Twilio message SID (SM… / MM…)");
const address = z.string().trim().min(1, "is required");

export const inboundParamsSchema = z.looseObject({
  MessageSid: sid,
  From: address,
  To: address,
  Body: z.string().optional(),
});
export type InboundParams = z.infer<typeof inboundParamsSchema> & Record<string, string>;

export const statusParamsSchema = z.looseObject({
  MessageSid: sid,
  MessageStatus: z.enum(TWILIO_STATUSES, { error: `must be one of: ${TWILIO_STATUSES.join(", ")}` }),
  From: z.string().optional(),
  To: z.string().optional(),
  ErrorCode: z.string().regex(/^\d*$/, "must be a number").optional(),
});
export type StatusParams = z.infer<typeof statusParamsSchema> & Record<string, string>;
