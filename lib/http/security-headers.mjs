// Headers every page and API answer carries: no framing (clickjacking), no MIME sniffing, no full URLs in
// Referer to other sites, no powerful browser features. Routes may set stricter ones (media: sandbox).
// Plain JavaScript so that next.config.mjs (every route) and server.mjs's direct answers
// (lib/http/direct.ts, lib/webhooks/direct.ts) share one list.
export const SECURITY_HEADERS = [
  { key: "Content-Security-Policy", value: "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=()" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
];
