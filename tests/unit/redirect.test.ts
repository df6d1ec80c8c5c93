import { describe, expect, it } from "vitest";
import { safeRedirectPath } from "@/lib/auth/redirect";
import { clientAddress, PEER_ADDRESS_HEADER, trustedProxyHops } from "@/lib/http/client-address";

const ORIGIN = "https://inbox.example.com";

describe("where the browser goes after signing in", () => {
  it.each([
    ["/", "/"],
    ["/stats?period=7d#top", "/stats?period=7d#top"],
    ["/admin/users", "/admin/users"],
    [`${ORIGIN}/admin/users`, "/admin/users"],
    ["/%5Cevil.example/x", "/%5Cevil.example/x"], // still encoded: a path on our own host
  ])("keeps our own path %s", (next, expected) => {
    expect(safeRedirectPath(next, ORIGIN)).toBe(expected);
  });

  it.each([
    "//evil.example/x",
    "/\\evil.example/x", // what ?next=/%5Cevil.example/x decodes to: browsers read \\ as /
    "\\\\evil.example/x",
    "/\t/evil.example/x",
    "/\\/evil.example",
    "\t//evil.example",
    " //evil.example",
    "https://evil.example/x",
    "http://inbox.example.com/x", // another scheme is another origin
    "https://inbox.example.com.evil.example/",
    "https://inbox.example.com@evil.example/",
    "javascript:alert(1)",
    "data:text/html,hi",
    "",
    "x".repeat(3000),
  ])("sends %j home instead", (next) => {
    const got = safeRedirectPath(next, ORIGIN);
    expect(got === "/" || !/^[/\\]{2}/.test(got)).toBe(true);
    expect(new URL(got, ORIGIN).origin).toBe(ORIGIN);
    expect(got.startsWith("/") && !got.startsWith("//")).toBe(true);
  });

  it("collapses paths that resolve to a protocol-relative URL", () => {
    expect(safeRedirectPath("/.//evil.example/x", ORIGIN)).toBe("/evil.example/x");
    expect(safeRedirectPath("/a/..//evil.example", ORIGIN)).toBe("/evil.example");
  });

  it("refuses what is not a string (repeated ?next=)", () => {
    expect(safeRedirectPath(["/a", "//evil.example"], ORIGIN)).toBe("/");
    expect(safeRedirectPath(undefined, ORIGIN)).toBe("/");
  });
});

describe("the client's address", () => {
  const h = (xff: string | null, peer: string | null) => ({
    get: (name: string) => (name === "x-forwarded-for" ? xff : name === PEER_ADDRESS_HEADER ? peer : null),
  });

  it("is the TCP peer unless proxies are trusted", () => {
    expect(clientAddress(h("1.2.3.4", "203.0.113.9"), 0)).toBe("203.0.113.9");
    expect(clientAddress(h("1.2.3.4", null), 0)).toBe("unknown");
  });

  it("behind N trusted proxies, is the N-th hop from the right, ignoring what the client prepended", () => {
    expect(clientAddress(h("6.6.6.6, 198.51.100.1", "10.0.0.2"), 1)).toBe("198.51.100.1");
    expect(clientAddress(h("6.6.6.6, 198.51.100.1, 10.0.0.1", "10.0.0.2"), 2)).toBe("198.51.100.1");
    expect(clientAddress(h(null, "10.0.0.2"), 1)).toBe("10.0.0.2");
  });

  it("reads TRUST_PROXY strictly", () => {
    expect(trustedProxyHops(undefined)).toBe(0);
    expect(trustedProxyHops("false")).toBe(0);
    expect(trustedProxyHops("true")).toBe(1);
    expect(trustedProxyHops("2")).toBe(2);
    expect(() => trustedProxyHops("yes")).toThrow(/TRUST_PROXY/);
    expect(() => trustedProxyHops("-1")).toThrow(/TRUST_PROXY/);
  });
});
