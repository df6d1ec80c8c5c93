/**
 * The `media_source` migration marks every stored media item with where it came from: Twilio-reported
 * (customers' messages, messages sent from another platform, imported ones) or supplied by the sender
 * (agents, API keys, bots). Applied to a database that already holds messages, on PGlite and PostgreSQL.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase, type AppDatabase } from "@/lib/db";
import { defaultMigrationsDir, migrate, readMigrations } from "@/lib/db/migrate";
import { createEmptyPostgres, databaseKinds } from "../helpers/db";

const kinds = await databaseKinds();
const MIGRATION = "20261124090000_media_source";

/** A database migrated up to (not including) the media_source migration. */
async function openBefore(kind: "pglite" | "postgres"): Promise<{ db: AppDatabase; drop: () => Promise<void> }> {
  if (kind === "pglite") {
    const db = await openDatabase({ dataDir: "memory", migrate: false });
    return { db, drop: () => db.close() };
  }
  const empty = await createEmptyPostgres("hilo_test_media");
  const db = await openDatabase({ url: empty.url, migrate: false });
  return {
    db,
    async drop() {
      await db.close();
      await empty.drop();
    },
  };
}

describe.each(kinds)("media_source migration on %s", (kind) => {
  it("marks inbound and external messages' media as Twilio's, sent messages' media as the sender's", async () => {
    const all = await readMigrations();
    expect(all.map((m) => m.name)).toContain(MIGRATION);
    const before = mkdtempSync(path.join(tmpdir(), "hilo-migrations-"));
    for (const m of all) if (m.name < MIGRATION) cpSync(path.join(defaultMigrationsDir(), m.name), path.join(before, m.name), { recursive: true });
    const { db, drop } = await openBefore(kind);
    try {
      await migrate(db.sql, { dir: before });
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
      rmSync(before, { recursive: true, force: true });
    }
  });
});
