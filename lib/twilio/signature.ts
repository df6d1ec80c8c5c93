import { timingSafeEqual } from "node:crypto";
import twilio from "twilio";

export type TwilioParams = Record<string, string | string[]>;

/**
 * Validates `X-Twilio-Signature` against every accepted auth token (token rotation). `url` is the URL
 * Twilio called (the public one: PUBLIC_BASE_URL + path + query), `params` every POST parameter
 * received. Constant-time comparison is done by the twilio library.
 */
export function validateTwilioSignature(input: {
  tokens: string[];
  signature: string | null | undefined;
  url: string;
  params: TwilioParams;
}): boolean {
  const signature = input.signature ?? "";
  if (!signature) return false;
  const tokens = input.tokens.filter((token) => token !== "");
  // The URL exactly as configured first: one HMAC per token for every genuine webhook. The library's
  // check (the same URL with and without its port, then normalized forms) only for what that refused;
  // the URL as given is among its candidates, so nothing more is accepted.
  const received = Buffer.from(signature);
  const exact = (token: string) => {
    const expected = Buffer.from(twilio.getExpectedTwilioSignature(token, input.url, input.params));
    return expected.length === received.length && timingSafeEqual(expected, received);
  };
  return tokens.some(exact) || tokens.some((token) => twilio.validateRequest(token, signature, input.url, input.params));
}

/**
 * The JSON-body variant: Twilio appends `bodySHA256=<hex sha256 of the raw body>` to the URL's query
 * and signs the URL only.
 */
export function validateTwilioSignatureWithBody(input: {
  tokens: string[];
  signature: string | null | undefined;
  url: string;
  rawBody: string;
}): boolean {
  const signature = input.signature ?? "";
  if (!signature) return false;
  return input.tokens.some(
    (token) => token !== "" && twilio.validateRequestWithBody(token, signature, input.url, input.rawBody),
  );
}

/** Signs a request exactly as Twilio does (the value of `X-Twilio-Signature`). */
export function signTwilioRequest(token: string, url: string, params: TwilioParams): string {
  return twilio.getExpectedTwilioSignature(token, url, params);
}
