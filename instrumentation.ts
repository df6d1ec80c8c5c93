// Runs once when the Next.js server starts (node runtime only).
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startServer } = await import("./lib/runtime/start");
  await startServer();
}
