// `npm run api-key -- create <name>` | `list` | `revoke <id or prefix>`
// `create` prints the key once, on its last line. With the embedded database (HILO_DATA_DIR, default
// ./.data/pglite) and Hilo running on it, the command asks the running server, which holds the
// database (only one process may open it); otherwise it opens the database itself.
import "./load-env";
import { createApiKey, listApiKeys, revokeApiKey } from "../lib/auth/api-keys";
import { openDatabase } from "../lib/db";
import { readServerInfo } from "../lib/runtime/local-control";

const [command, ...rest] = process.argv.slice(2);
const usage = "usage: npm run api-key -- create <name> | list | revoke <id or prefix>";

type KeyRow = { id: string; name: string; prefix: string; createdAt: string | Date; lastUsedAt: string | Date | null; revokedAt: string | Date | null };

async function viaServer(body: Record<string, unknown>) {
  const info = readServerInfo();
  if (!info) return null;
  const request = () =>
    fetch(`http://127.0.0.1:${info.port}/api/internal/api-keys`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-hilo-control-token": info.token },
      body: JSON.stringify(body),
    });
  let res: Response | undefined;
  // The server records itself while it starts, a moment before it accepts connections.
  for (let attempt = 1; !res; attempt++) {
    try {
      res = await request();
    } catch (err) {
      if (attempt >= 20) throw new Error(`Hilo (process ${info.pid}) holds the embedded database but does not answer on port ${info.port}: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  const json = (await res.json()) as Record<string, unknown> & { error?: { message: string } };
  if (!res.ok) throw new Error(json.error?.message ?? `server answered ${res.status}`);
  return json;
}

async function main() {
  if (!command || !["create", "list", "revoke"].includes(command)) throw new Error(usage);
  const name = rest.join(" ").trim();
  if ((command === "create" || command === "revoke") && !name) throw new Error(usage);
  const body = command === "create" ? { action: "create", name } : command === "revoke" ? { action: "revoke", id: name } : { action: "list" };

  const remote = process.env.DATABASE_URL ? null : await viaServer(body);
  let result: Record<string, unknown>;
  if (remote) result = remote;
  else {
    const db = await openDatabase({ url: process.env.DATABASE_URL || undefined, dataDir: process.env.HILO_DATA_DIR || undefined });
    try {
      if (command === "create") result = { apiKey: await createApiKey(db.prisma, name) };
      else if (command === "list") result = { apiKeys: await listApiKeys(db.prisma) };
      else {
        if (!(await revokeApiKey(db.prisma, name))) throw new Error(`No active API key ${name}.`);
        result = { revoked: name };
      }
    } finally {
      await db.close();
    }
  }

  if (command === "create") {
    const k = result.apiKey as { name: string; prefix: string; key: string };
    console.log(`Created API key "${k.name}" (${k.prefix}). Store it now: it is not shown again.`);
    console.log(k.key);
  } else if (command === "list") {
    const keys = result.apiKeys as KeyRow[];
    if (keys.length === 0) console.log("No API keys.");
    for (const k of keys) {
      const state = k.revokedAt ? "revoked" : "active";
      console.log(`${k.prefix}\t${state}\t${k.name}\tcreated ${new Date(k.createdAt).toISOString()}\tlast used ${k.lastUsedAt ? new Date(k.lastUsedAt).toISOString() : "never"}\t${k.id}`);
    }
  } else console.log(`Revoked ${name}.`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
