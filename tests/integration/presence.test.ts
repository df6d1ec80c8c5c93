/** `POST /api/messaging/conversations/{id}/presence`: the `presence` live event, never stored. */
import { describe, expect, it } from "vitest";
import { POST as presencePOST } from "@/app/api/messaging/conversations/[id]/presence/route";
import { EVENTS_CHANNEL } from "@/lib/realtime/channel";
import { apiKeyHeader, params, postJson, userCookie } from "../helpers/api";
import { databaseKinds } from "../helpers/db";
import { withRouteDatabase } from "../helpers/route-db";
import { storeInbound } from "../helpers/seed";
import { inboundWhatsApp } from "../helpers/webhooks";

const kinds = await databaseKinds();

describe.each(kinds)("presence on %s", (kind) => {
  const ctx = withRouteDatabase(kind);

  it("announces who views, types in or leaves a conversation to every listener, with the user's own name", async () => {
    const { db } = ctx;
    const { threadId } = await storeInbound(db.sql, inboundWhatsApp());
    const ana = await userCookie(db);
    const heard: Record<string, string>[] = [];
    const unlisten = await db.sql.listen(EVENTS_CHANNEL, (payload) => heard.push(JSON.parse(payload)));
    try {
      const post = (body: unknown, headers: Record<string, string>, id = threadId!) =>
        presencePOST(postJson(`/api/messaging/conversations/${id}/presence`, body, headers), params({ id }));
      expect((await post({ state: "viewing" }, ana.headers)).status).toBe(204);
      expect((await post({ state: "typing" }, ana.headers)).status).toBe(204);
      // Someone else's name cannot be claimed; bad states, unknown conversations and API keys are refused.
      expect((await post({ state: "typing", name: "Otro" }, ana.headers)).status).toBe(400);
      expect((await post({ state: "dancing" }, ana.headers)).status).toBe(400);
      expect((await post({ state: "viewing" }, ana.headers, "00000000-0000-4000-8000-000000000000")).status).toBe(404);
      expect((await post({ state: "viewing" }, await apiKeyHeader(db))).status).toBe(403);
      expect((await post({ state: "left" }, ana.headers)).status).toBe(204);
      await expect.poll(() => heard.filter((e) => e.type === "presence").length).toBe(3);
      expect(heard.filter((e) => e.type === "presence")).toEqual(
        ["viewing", "typing", "left"].map((state) => ({ type: "presence", threadId, userId: ana.user.id, name: ana.user.name, state })),
      );
    } finally {
      await unlisten();
    }
  });
});
