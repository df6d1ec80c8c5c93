/**
 * The first messages of a new customer written at the same moment (a burst of sends, webhooks on several
 * instances) make one contact and one conversation, never an error: a race lost on `contacts.phone` (a
 * unique index that is not the upsert's arbiter) is run again and meets the other writer's contact.
 * PostgreSQL only: the embedded database runs one transaction at a time.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { upsertContactThread } from "@/lib/conversations";
import type { AppDatabase } from "@/lib/db";
import { withSerializationRetry } from "@/lib/db/retry";
import { createTestDatabase, postgresReachable, type TestDatabase } from "../helpers/db";

const pgReachable = await postgresReachable();

describe.skipIf(!pgReachable)("a new customer's first messages at once (PostgreSQL)", () => {
  let t: TestDatabase;
  let db: AppDatabase;
  beforeAll(async () => {
    t = await createTestDatabase("postgres");
    db = t.db;
  });
  afterAll(() => t?.drop());

  it("many writers of the same new contact: all succeed, one contact, one conversation each", async () => {
    for (let i = 0; i < 30; i++) {
      const to = `+57300555${1000 + i}`;
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, () =>
          withSerializationRetry(() => db.sql.transaction((tx) => upsertContactThread(tx, { channel: "sms", customerAddress: to, businessAddress: "+15005550006" }))),
        ),
      );
      expect(results.filter((r) => r.status === "rejected")).toEqual([]);
      expect(new Set(results.map((r) => (r as PromiseFulfilledResult<{ threadId: string }>).value.threadId)).size).toBe(1);
    }
    const [{ contacts, threads }] = await db.sql.query<{ contacts: number; threads: number }>(
      `SELECT (SELECT count(*) FROM contacts)::int AS contacts, (SELECT count(*) FROM threads)::int AS threads`,
    );
    expect({ contacts, threads }).toEqual({ contacts: 30, threads: 30 });
  });
});
