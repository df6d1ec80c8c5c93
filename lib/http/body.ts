import type { IncomingMessage } from "node:http";
import { ApiError } from "@/lib/api/errors";

/** The most any JSON API or webhook body may carry (Twilio's webhooks are a few KB). */
export const MAX_BODY_BYTES = 1024 * 1024;

function tooLarge(limit: number): ApiError {
  return new ApiError(413, "payload_too_large", `The request body is larger than ${limit} bytes.`, undefined, { limit });
}

/**
 * Reads a request body as UTF-8 text, never more than `limit` bytes: a `Content-Length` over the limit
 * is refused before reading, and the stream itself is counted (chunked bodies, or a Content-Length that
 * lies) and cancelled as soon as it passes the limit. Throws a 413 `payload_too_large` ApiError.
 */
export async function readBodyText(req: Request, limit: number = MAX_BODY_BYTES): Promise<string> {
  const declared = req.headers.get("content-length")?.trim();
  if (declared && /^\d+$/.test(declared) && Number(declared) > limit) {
    await req.body?.cancel().catch(() => {});
    throw tooLarge(limit);
  }
  return readStreamText(req.body, limit, () => tooLarge(limit));
}

/**
 * Reads a body stream as UTF-8 text, counting its bytes while streaming: past `limit` the stream is
 * cancelled and `tooLarge()` is thrown. The one bounded reader of request and response bodies.
 */
export async function readStreamText(body: ReadableStream<Uint8Array> | null, limit: number, tooLarge: () => Error): Promise<string> {
  if (!body) return "";
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    parts.push(decoder.decode(value, { stream: true }));
  }
  parts.push(decoder.decode());
  return parts.join("");
}

/**
 * The same bounded read for a Node.js request (what server.mjs answers without Next.js: lib/http/direct.ts,
 * lib/webhooks/direct.ts): a `Content-Length` over `limit` is refused before reading, and the bytes are
 * counted as they arrive. Past the limit it stops reading (the caller answers 413 and closes the
 * connection) and throws the 413.
 */
export function readNodeBody(req: IncomingMessage, limit: number = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = req.headers["content-length"]?.trim();
  if (declared && /^\d+$/.test(declared) && Number(declared) > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const done = (err?: Error) => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      if (err) {
        req.pause();
        reject(err);
      } else resolve(Buffer.concat(chunks, total));
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > limit) return done(tooLarge(limit));
      chunks.push(chunk);
    };
    const onEnd = () => done();
    const onError = (err: Error) => done(err);
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

/** {@link readNodeBody} as text, decoded as TextDecoder (readStreamText) decodes: invalid bytes become U+FFFD, a leading BOM is dropped. */
export async function readNodeBodyText(req: IncomingMessage, limit: number = MAX_BODY_BYTES): Promise<string> {
  const text = (await readNodeBody(req, limit)).toString("utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
