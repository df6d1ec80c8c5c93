/**
 * The `media_source` migration marks every stored media item with where it came from: Twilio-reported
 * (customers' messages, messages sent from another platform, imported ones) or supplied by the sender
 * (agents, API keys, bots). Applied to a database that already holds messages, on PGlite and PostgreSQL.
 */
import { describe, expect, it } from "vitest";
import { migrate, readMigrations } from "@/lib/db/migrate";
import { databaseKinds, openDatabaseBefore } from "../helpers/db";

const kinds = await databaseKinds();
const MIGRATION = "20261124090000_media_source";

describe.each(kinds)("media_source migration on %s", (kind) => {
  it("marks inbound and external messages' media as Twilio's, sent messages' media as the sender's", async () => {
    expect((await readMigrations()).map((m) => m.name)).toContain(MIGRATION);
    const { db, drop } = await openDatabaseBefore(kind, MIGRATION);
    try {
      const [c] = await db.sql.query<{ id: string }>(`INSERT INTO contacts (phone) VALUES ('+573001234567') RETURNING id::text`);
      const [t] = await db.sql.query<{ id: string }>(
        `INSERT INTO threads (channel, contact_id, business_address) VALUES ('whatsapp', $1::uuid, '+14155238886') RETURNING id::text`,
        [c.id],
      );
      const twilioUrl = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1";
      const insert = async (senderType: string, direction: string, media: unknown) => {
        const [row] = await db.sql.query<{ id: string }>(
          `INSERT INTO messages (thread_id, channel, direction, sender_type, media, "from", "to", status, status_rank)
           VALUES ($1::uuid, 'whatsapp', $2::"Direction", $3::"SenderType", $4::jsonb, 'a', 'b', 'received', 0) RETURNING id::text`,
          [t.id, direction, senderType, JSON.stringify(media)],
        );
        return row.id;
      };
      const items = [
        { url: twilioUrl, contentType: "image/jpeg" },
        { url: "https://cdn.example.org/a.pdf", contentType: null },
      ];
      const ids = {
        contact: await insert("contact", "inbound", items),
        external: await insert("external", "outbound", items),
        agent: await insert("agent", "outbound", items),
        api: await insert("api", "outbound", items),
        bot: await insert("bot", "outbound", items),
        none: await insert("agent", "outbound", []),
        // Already marked (written by a newer instance before the migration ran): kept as it is.
        marked: await insert("agent", "outbound", [{ url: twilioUrl, contentType: null, source: "caller" }]),
      };

      await migrate(db.sql);
      const media = async (id: string) =>
        (await db.sql.query<{ media: unknown }>(`SELECT media FROM messages WHERE id = $1::uuid`, [id]))[0]!.media;
      const marked = (source: string) => items.map((i) => ({ ...i, source }));
      expect(await media(ids.contact)).toEqual(marked("twilio"));
      expect(await media(ids.external)).toEqual(marked("twilio"));
      expect(await media(ids.agent)).toEqual(marked("caller"));
      expect(await media(ids.api)).toEqual(marked("caller"));
      expect(await media(ids.bot)).toEqual(marked("caller"));
      expect(await media(ids.none)).toEqual([]);
      expect(await media(ids.marked)).toEqual([{ url: twilioUrl, contentType: null, source: "caller" }]);
    } finally {
      await drop();
    }
  });
});
