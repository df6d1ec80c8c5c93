import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isPublicAddress, publicOnlyLookup, refusedHost } from "@/lib/http/public-address";

export { isPublicAddress };

/**
 * Downloads one of Twilio's media files: the first request (to the configured API origin) carries the
 * account's credentials; Twilio answers it with a redirect to short-lived storage, which is followed by
 * hand, without credentials, only to public https addresses, a bounded number of times, within a deadline.
 */

export class MediaFetchError extends Error {
  constructor(
    readonly kind: "refused" | "timeout" | "unreachable",
    message: string,
  ) {
    super(message);
  }
}

export interface MediaFetchOptions {
  /** The configured Twilio API origin: the only origin that may be private (simulator, tests). */
  trustedOrigin: string;
  /** Sent on the first request only. */
  authorization: string | null;
  /** Redirects followed at most (Twilio needs one). */
  maxRedirects: number;
  /** Deadline for the final answer's headers, all hops included (ms since `startedAt`). */
  deadline: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Checks a redirect target before any connection is made to it. Returns why it is refused, if it is. */
function refuseTarget(target: URL, trustedOrigin: string): string | null {
  if (target.origin === trustedOrigin) return null;
  if (target.protocol !== "https:") return `a redirect to ${target.protocol}//${target.host} is not https`;
  const refused = refusedHost(target);
  return refused ? `a redirect refused: ${refused}` : null;
}

function requestOnce(target: URL, headers: Record<string, string>, trusted: boolean, deadline: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    let refusedBecause: string | null = null;
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send({
      protocol: target.protocol,
      hostname: target.hostname.replace(/^\[|\]$/g, ""),
      port: target.port || undefined,
      path: `${target.pathname}${target.search}`,
      method: "GET",
      headers: { ...headers, "user-agent": "Hilo media proxy", accept: "*/*" },
      // A fresh connection per request: every connection goes through the address check below.
      agent: false,
      ...(trusted ? {} : { lookup: publicOnlyLookup((m) => (refusedBecause = m), (m) => new MediaFetchError("refused", m)) }),
    });
    const remaining = deadline - Date.now();
    const timer = setTimeout(() => req.destroy(new MediaFetchError("timeout", "the media server did not answer in time")), Math.max(0, remaining));
    req.once("response", (res) => {
      clearTimeout(timer);
      resolve(res);
    });
    req.once("error", (err) => {
      clearTimeout(timer);
      if (err instanceof MediaFetchError) return reject(err);
      if (refusedBecause) return reject(new MediaFetchError("refused", refusedBecause));
      reject(new MediaFetchError("unreachable", err.message));
    });
    req.end();
  });
}

/**
 * GETs `url` (a Twilio media URL on the trusted origin) and follows redirects by hand. Returns the first
 * answer that is not a redirect; its body is the caller's to consume or destroy.
 */
export async function fetchMedia(url: URL, opts: MediaFetchOptions): Promise<IncomingMessage> {
  let target = url;
  for (let hop = 0; ; hop++) {
    if (hop > 0) {
      const refused = refuseTarget(target, opts.trustedOrigin);
      if (refused) throw new MediaFetchError("refused", refused);
    }
    const headers: Record<string, string> = hop === 0 && opts.authorization ? { authorization: opts.authorization } : {};
    const res = await requestOnce(target, headers, target.origin === opts.trustedOrigin, opts.deadline);
    if (!REDIRECTS.has(res.statusCode ?? 0)) return res;
    res.destroy();
    const location = res.headers.location;
    if (!location) throw new MediaFetchError("refused", `HTTP ${res.statusCode} without a Location`);
    if (hop >= opts.maxRedirects) throw new MediaFetchError("refused", `more than ${opts.maxRedirects} redirects`);
    try {
      target = new URL(location, target);
    } catch {
      throw new MediaFetchError("refused", "a redirect to an address that is not a URL");
    }
  }
}
