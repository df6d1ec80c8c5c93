// Liveness: answers without touching the database (load balancers; the webhook benchmark's baseline).
export const dynamic = "force-dynamic";

export function GET(): Response {
  return Response.json({ status: "ok" });
}
