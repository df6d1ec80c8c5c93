// Runs once when the Next.js server starts (node runtime only).
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // First: every request gets its TCP peer's address (sign-in throttling must not trust client headers).
  const { installPeerAddressHeader } = await import("./lib/http/client-address");
  installPeerAddressHeader();
  // The busiest API route, called by server.mjs without Next.js's routing (lib/http/direct.ts).
  const { registerDirectRoute } = await import("./lib/http/direct");
  registerDirectRoute("POST", "/api/messaging/send", (await import("./app/api/messaging/send/route")).POST);
  // The server, with the local Twilio simulator when no Twilio credentials are configured.
  const { startServerWithSimulator } = await import("./simulator/embedded");
  await startServerWithSimulator();
}
