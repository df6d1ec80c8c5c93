import { z } from "zod";
import { apiRoute } from "@/app/api/_http/api-route";
import { setContactBlocked } from "@/lib/contacts/profile";
import { UUID_RE } from "@/lib/ids";

export const dynamic = "force-dynamic";

const options = { notFound: ({ id }: Record<string, string>) => `No contact with id ${id}.`, schema: { params: z.object({ id: z.string().regex(UUID_RE) }) } };

/** Blocks the contact: their messages are still stored, but do not notify, reopen, assign or wake a bot. */
export const POST = apiRoute(options, async ({ db, params }) => Response.json({ contact: await setContactBlocked(db.sql, params.id, true) }));

/** Unblocks the contact. */
export const DELETE = apiRoute(options, async ({ db, params }) => Response.json({ contact: await setContactBlocked(db.sql, params.id, false) }));
