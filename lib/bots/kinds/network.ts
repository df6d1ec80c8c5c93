import type { ClientRequestArgs } from "node:http";
import { getConfig } from "@/lib/config";
import { outboundFetch, privateNetworkMessage, type OutboundRequest } from "@/lib/http/outbound";
import { AddressRefusedError, publicOnlyLookup, refusedHost } from "@/lib/http/public-address";

/**
 * Every request a bot kind makes (the bot's URL, a model server, ElevenLabs' API and WebSocket) goes
 * through here: public internet addresses only unless BOTS_ALLOW_PRIVATE_NETWORK (lib/http/outbound.ts).
 */
export function botFetch(url: string | URL, init: Omit<OutboundRequest, "allowPrivateNetwork">): Promise<Response> {
  return outboundFetch(url, { ...init, allowPrivateNetwork: getConfig().botsAllowPrivateNetwork });
}

/**
 * Options for a WebSocket (`ws`) to `url` with the same rule; throws {@link AddressRefusedError} when
 * `url` names an address that is refused before connecting. `onRefused` hears a refusal at connect time.
 */
export function botSocketOptions(url: string, onRefused: (message: string) => void): Pick<ClientRequestArgs, "lookup"> {
  if (getConfig().botsAllowPrivateNetwork) return {};
  const refused = refusedHost(new URL(url));
  if (refused) throw new AddressRefusedError(privateNetworkMessage(refused));
  return { lookup: publicOnlyLookup((m) => onRefused(privateNetworkMessage(m))) };
}
