import { z } from "zod";
import { apiRoute } from "@/app/api/_http/api-route";
import { ApiError } from "@/lib/api/errors";
import { announcePresence, PRESENCE_STATES } from "@/lib/messaging/threads";
import { UUID_RE } from "@/lib/ids";

export const dynamic = "force-dynamic";

const paramsSchema = z.object({ id: z.string().regex(UUID_RE) });
const bodySchema = z.object({ state: z.enum(PRESENCE_STATES, { error: "must be 'viewing', 'typing' or 'left'" }) }).strict();
const notFound = ({ id }: Record<string, string>) => `No conversation with id ${id}.`;

/** The signed-in agent is viewing, typing in or left the conversation: announced live to the other agents. */
export const POST = apiRoute(
  { allowApiKey: false, schema: { params: paramsSchema, body: bodySchema }, notFound, what: "presence" },
  async ({ db, principal, params, body }) => {
    if (principal.type !== "user") throw new ApiError(403, "forbidden", "Presence belongs to signed-in users.");
    if (!(await announcePresence(db.sql, params.id, principal.user, body.state))) throw new ApiError(404, "not_found", notFound(params));
    return new Response(null, { status: 204 });
  },
);
