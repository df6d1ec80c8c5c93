import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { BlockList, isIP, type LookupFunction } from "node:net";

/**
 * Which network addresses Hilo's outgoing requests to addresses someone configured or sent (media
 * redirects, bots' URLs) may reach: public internet addresses only, checked at connect time.
 */

/** A connection refused because its address is not public. */
export class AddressRefusedError extends Error {}

const IPV4_NOT_PUBLIC = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8], // "this" network
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, cloud metadata
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
] as const) {
  IPV4_NOT_PUBLIC.addSubnet(net, bits, "ipv4");
}

// IPv6: only global unicast (2000::/3), minus the ranges in it that are not plain public hosts or that
// embed an IPv4 address (6to4, Teredo, NAT64 would reach whatever IPv4 they carry).
const IPV6_GLOBAL = new BlockList();
IPV6_GLOBAL.addSubnet("2000::", 3, "ipv6");
const IPV6_NOT_PUBLIC = new BlockList();
for (const [net, bits] of [
  ["2001::", 23], // IETF protocol assignments (Teredo 2001::/32 included)
  ["2001:db8::", 32], // documentation
  ["2002::", 16], // 6to4
  ["3fff::", 20], // documentation
] as const) {
  IPV6_NOT_PUBLIC.addSubnet(net, bits, "ipv6");
}

/** The eight 16-bit groups of an IPv6 address (`::`, and a dotted IPv4 tail, expanded). */
function ipv6Groups(ip: string): number[] | null {
  let text = ip.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const b = dotted[1]!.split(".").map(Number);
    text = `${text.slice(0, -dotted[1]!.length)}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const parse = (part: string) => (part ? part.split(":").map((g) => Number.parseInt(g, 16)) : []);
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  const groups = halves.length === 2 ? [...head, ...Array(8 - head.length - tail.length).fill(0), ...tail] : head;
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

/** True for an address on the public internet: not loopback, private, link-local, reserved… */
export function isPublicAddress(address: string): boolean {
  const ip = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const family = isIP(ip);
  if (family === 4) return !IPV4_NOT_PUBLIC.check(ip, "ipv4");
  if (family !== 6) return false;
  const g = ipv6Groups(ip);
  if (!g) return false;
  // IPv4-mapped (::ffff:a.b.c.d): the IPv4 address is what the socket reaches.
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    return !IPV4_NOT_PUBLIC.check(`${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`, "ipv4");
  }
  return IPV6_GLOBAL.check(ip, "ipv6") && !IPV6_NOT_PUBLIC.check(ip, "ipv6");
}

/**
 * A `lookup` for sockets: resolves the name as usual and refuses to connect when ANY address it
 * resolves to is not public. It runs at connect time, for the very addresses the socket will use, so a
 * name that resolves differently on a second lookup (DNS rebinding) cannot get around it.
 */
export function publicOnlyLookup(onRefused: (message: string) => void, makeError: (message: string) => Error = (m) => new AddressRefusedError(m)): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, "", 0);
      const bad = addresses.find((a) => !isPublicAddress(a.address));
      if (bad || addresses.length === 0) {
        const message = `${hostname} resolves to ${bad ? `a non-public address (${bad.address})` : "no address"}`;
        onRefused(message);
        return callback(makeError(message) as NodeJS.ErrnoException, "", 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}


/**
 * Why a URL's host is refused before any connection (an address literal or a name of this machine that is
 * not public), or null. Names are checked again, when connecting, by {@link publicOnlyLookup}.
 */
export function refusedHost(url: URL): string | null {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (isIP(host)) return isPublicAddress(host) ? null : `${url.host} is not a public address`;
  if (!host || host === "localhost" || host.endsWith(".localhost")) return `${url.host} is this machine`;
  return null;
}
