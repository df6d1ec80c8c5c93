/**
 * Where to send the browser after signing in. `next` comes from the address bar, so it is hostile: it
 * is resolved as a URL against Hilo's own public origin (the way a browser resolves it, backslashes,
 * tabs and encoded variants included) and kept only when it stays on that origin. The answer is always a
 * path that starts with exactly one "/", so no browser can read it as another host.
 */
export function safeRedirectPath(next: unknown, origin: string): string {
  if (typeof next !== "string" || next === "" || next.length > 2048) return "/";
  let base: URL;
  let target: URL;
  try {
    base = new URL(origin);
    target = new URL(next, base);
  } catch {
    return "/";
  }
  if (target.origin !== base.origin) return "/";
  // "/.//evil.example" resolves to the path "//evil.example": collapse leading slashes.
  const path = `/${target.pathname.replace(/^[/\\]+/, "")}`;
  return `${path}${target.search}${target.hash}`;
}
