import { apiRoute } from "@/app/api/_http/api-route";
import { markMentionsRead, mentionsReadSchema } from "@/lib/conversations/notes";
import { signedInUserId } from "@/lib/conversations/note-writer";

export const dynamic = "force-dynamic";

/** Marks the signed-in user's mentions read: in one conversation, the notes named, or all. */
export const POST = apiRoute({ allowApiKey: false, schema: { body: mentionsReadSchema }, what: "mentions update" }, async ({ db, principal, body }) =>
  Response.json({ marked: await markMentionsRead(db.sql, signedInUserId(principal), body) }),
);
