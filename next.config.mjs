/**
 * Headers every page and API answer carries: no framing (clickjacking), no MIME sniffing, no full URLs in
 * Referer to other sites, no powerful browser features. Routes may set stricter ones (media: sandbox).
 */
const securityHeaders = [
  { key: "Content-Security-Policy", value: "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=()" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // .next/standalone: the server and only the node_modules it needs (the Docker image; see docs/deploy.md).
  output: "standalone",
  // Native/WASM database drivers stay outside the server bundle.
  serverExternalPackages: ["@aws-sdk/client-s3", "@aws-sdk/s3-request-presigner", "@electric-sql/pglite", "pglite-prisma-adapter", "@prisma/adapter-pg", "pg", "pino", "twilio", "ws"],
  typedRoutes: false,
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};

export default nextConfig;
