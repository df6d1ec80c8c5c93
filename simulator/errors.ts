/** Twilio's REST error body: `{code, message, more_info, status}`. */
export interface TwilioErrorBody {
  code: number;
  message: string;
  more_info: string;
  status: number;
  detail?: string;
}

export class TwilioApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
  }

  toJSON(): TwilioErrorBody {
    return {
      code: this.code,
      message: this.message,
      more_info: `https://www.twilio.com/docs/errors/${this.code}`,
      status: this.status,
      ...(this.detail ? { detail: this.detail } : {}),
    };
  }
}

export const apiError = (status: number, code: number, message: string, detail?: string) =>
  new TwilioApiError(status, code, message, detail);

/** Delivery failures reported through status callbacks (status, code, message as Twilio words them). */
export interface DeliveryFailure {
  status: "failed" | "undelivered";
  errorCode: number;
  errorMessage: string;
}

export const DELIVERY_FAILURES: Record<number, DeliveryFailure> = {
  30003: { status: "undelivered", errorCode: 30003, errorMessage: "Unreachable destination handset" },
  30004: { status: "undelivered", errorCode: 30004, errorMessage: "Message blocked" },
  30005: { status: "undelivered", errorCode: 30005, errorMessage: "Unknown destination handset" },
  30006: { status: "undelivered", errorCode: 30006, errorMessage: "Landline or unreachable carrier" },
  30007: { status: "undelivered", errorCode: 30007, errorMessage: "Message filtered" },
  30008: { status: "undelivered", errorCode: 30008, errorMessage: "Unknown error" },
  63003: { status: "failed", errorCode: 63003, errorMessage: "Channel could not find To address" },
  63014: { status: "undelivered", errorCode: 63014, errorMessage: "Message could not be delivered because the user blocked the business" },
  63016: {
    status: "failed",
    errorCode: 63016,
    errorMessage:
      "Failed to send freeform message because you are outside the allowed window. If you are using WhatsApp, please use a Message Template.",
  },
  63018: { status: "failed", errorCode: 63018, errorMessage: "Rate limit exceeded for Channel" },
  63019: { status: "failed", errorCode: 63019, errorMessage: "Media failed to download" },
};

/** Codes drawn when `failureRate` decides a message fails. */
export const DEFAULT_FAILURE_CODES = {
  whatsapp: [63016, 30003, 63003, 63014, 30008],
  sms: [30003, 30005, 30006, 30007, 30008],
} as const;

export function deliveryFailure(code: number): DeliveryFailure {
  return DELIVERY_FAILURES[code] ?? { status: "undelivered", errorCode: code, errorMessage: "Unknown error" };
}
