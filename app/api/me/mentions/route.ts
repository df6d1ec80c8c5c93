import { apiRoute } from "@/app/api/_http/api-route";
import { unreadMentions } from "@/lib/conversations/notes";
import { signedInUserId } from "@/lib/conversations/note-writer";

export const dynamic = "force-dynamic";

/** The signed-in user's unread mentions (notes of colleagues that name them), newest first. */
export const GET = apiRoute({ allowApiKey: false }, async ({ db, principal }) => Response.json(await unreadMentions(db.sql, signedInUserId(principal))));
