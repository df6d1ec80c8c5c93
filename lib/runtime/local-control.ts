import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { embeddedDataDir } from "@/lib/db";

/**
 * With the embedded database only the server process may open it, so command-line tools
 * (`npm run api-key`) ask the running server instead. The server writes its port and a random token
 * to `hilo-server.json` inside the embedded database's directory (mode 0600, beside its lock file), so
 * a tool pointed at the same directory (HILO_DATA_DIR) finds the server that holds it; tools read it
 * and call /api/internal/* with that token.
 */
export interface ServerInfo {
  pid: number;
  port: number;
  token: string;
}

export function serverInfoPath(dataDir = embeddedDataDir()): string {
  return path.join(dataDir, "hilo-server.json");
}

export function writeServerInfo(port: number, file = serverInfoPath()): ServerInfo {
  const info: ServerInfo = { pid: process.pid, port, token: randomBytes(32).toString("base64url") };
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(info));
  chmodSync(file, 0o600);
  return info;
}

export function removeServerInfo(file = serverInfoPath()): void {
  rmSync(file, { force: true });
}

export function readServerInfo(file = serverInfoPath()): ServerInfo | null {
  try {
    const info = JSON.parse(readFileSync(/*turbopackIgnore: true*/ file, "utf8")) as ServerInfo;
    process.kill(info.pid, 0);
    return info;
  } catch {
    return null;
  }
}

const KEY = Symbol.for("hilo.localControlToken");
export function setLocalControlToken(token: string | null): void {
  (globalThis as Record<symbol, unknown>)[KEY] = token;
}
export function localControlTokenMatches(candidate: string | null): boolean {
  const token = (globalThis as Record<symbol, unknown>)[KEY] as string | null | undefined;
  if (!token || !candidate || candidate.length !== token.length) return false;
  let diff = 0;
  for (let i = 0; i < token.length; i++) diff |= token.charCodeAt(i) ^ candidate.charCodeAt(i);
  return diff === 0;
}
