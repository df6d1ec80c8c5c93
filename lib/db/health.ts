import type { Database } from "./types";

/** Readiness: the database answers a query within `timeoutMs`. */
export async function checkDatabase(getDb: () => Promise<Database>, timeoutMs = 2_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const probe = (async () => {
    try {
      const db = await getDb();
      await db.query("SELECT 1");
      return true;
    } catch {
      return false;
    }
  })();
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
