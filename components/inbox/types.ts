import type { ApiConversation } from "@/lib/messaging/conversations";
import type { ApiMessage } from "@/lib/messaging/serialize";
import type { ThreadDetail } from "@/lib/messaging/threads";
import type { ApiNote } from "@/lib/conversations/notes";

export type { ApiConversation, ApiMessage, ApiNote, ThreadDetail };

/** How a conversation's customer is shown: their name, else their number, else the address they write from. */
export function customerLabel(c: { contact: { name: string | null; phone: string | null }; customerAddress: string }): string {
  return c.contact.name || c.contact.phone || c.customerAddress.replace(/^whatsapp:/, "");
}

export interface InboxFilters {
  channel: "" | "whatsapp" | "sms";
  status: "" | "open" | "closed";
  scope: "all" | "me" | "unassigned";
  unread: boolean;
  q: string;
  /** A label's id: only conversations carrying it ("" for all). */
  label: string;
}

export interface Agent {
  id: string;
  name: string;
}

export function filtersToQuery(f: InboxFilters, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams();
  if (f.channel) p.set("channel", f.channel);
  if (f.status) p.set("status", f.status);
  if (f.scope !== "all") p.set("assignee", f.scope);
  if (f.unread) p.set("unread", "true");
  if (f.q.trim()) p.set("q", f.q.trim());
  if (f.label) p.set("label", f.label);
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  return p.toString();
}
