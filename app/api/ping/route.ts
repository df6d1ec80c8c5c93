import { publicRoute } from "@/app/api/_http/api-route";

// Liveness: answers without touching the database (load balancers; the webhook benchmark's baseline).
export const dynamic = "force-dynamic";

export const GET = publicRoute(() => Response.json({ status: "ok" }));
