import { getDatabase } from "@/lib/db";
import { listConversations, listMessages } from "@/lib/messaging/conversations";
import { getThread } from "@/lib/messaging/threads";
import { listNotes } from "@/lib/conversations/notes";
import { requireUser, translations } from "@/app/_lib/session";
import { AppHeader } from "@/components/ui/AppHeader";
import { InboxApp } from "@/components/inbox/InboxApp";
import type { InboxFilters } from "@/components/inbox/types";
import { listLabels, type Label } from "@/lib/labels";

export const dynamic = "force-dynamic";

type Search = Record<string, string | undefined>;

function filtersFrom(sp: Search, labels: Label[]): InboxFilters {
  return {
    channel: sp.channel === "whatsapp" || sp.channel === "sms" ? sp.channel : "",
    status: sp.status === "closed" ? "closed" : sp.status === "all" ? "" : "open",
    scope: sp.assignee === "me" || sp.assignee === "unassigned" ? sp.assignee : "all",
    unread: sp.unread === "true",
    q: (sp.q ?? "").slice(0, 100),
    // A label that no longer exists (a link kept after it was deleted) filters nothing.
    label: labels.find((l) => l.id === sp.label?.toLowerCase())?.id ?? "",
  };
}

export default async function InboxPage({ searchParams }: { searchParams: Promise<Search> }) {
  const sp = await searchParams;
  // Rendered once per request on the server: the live-events catch-up starts from this instant.
  // eslint-disable-next-line react-hooks/purity
  const renderedAt = Date.now();
  const user = await requireUser({ next: "/" });
  const { locale, t } = await translations(user);
  const { sql, prisma } = await getDatabase();
  const labels = (await listLabels(sql)).map(({ id, name, color }) => ({ id, name, color }));
  const filters = filtersFrom(sp, labels);

  const query: Record<string, string> = { limit: "50" };
  if (filters.channel) query.channel = filters.channel;
  if (filters.status) query.status = filters.status;
  if (filters.scope !== "all") query.assignee = filters.scope;
  if (filters.unread) query.unread = "true";
  if (filters.q) query.q = filters.q;
  if (filters.label) query.label = filters.label;

  const [list, anyThread, agents, thread] = await Promise.all([
    listConversations(sql, query, { userId: user.id }),
    sql.query(`SELECT 1 FROM threads LIMIT 1`),
    prisma.user.findMany({ where: { active: true }, select: { id: true, name: true }, orderBy: { name: "asc" } }),
    sp.thread ? getThread(sql, sp.thread) : Promise.resolve(null),
  ]);
  const [page, notes] = thread
    ? await Promise.all([listMessages(sql, thread.id, { limit: "50" }), listNotes(sql, thread.id)])
    : [{ messages: [], nextCursor: null }, []];

  return (
    <div className="flex h-dvh flex-col" lang={locale}>
      <AppHeader user={user} t={t} locale={locale} current="/" />
      <InboxApp
        key={locale}
        t={t.inbox}
        tb={t.botInbox}
        tl={t.labels}
        labels={labels}
        isAdmin={user.role === "admin"}
        tn={t.notesInbox}
        tc={t.contactEdit}
        ta={t.attachments}
        locale={locale}
        me={{ id: user.id, name: user.name, role: user.role }}
        agents={agents}
        initialFilters={filters}
        initialConversations={list.conversations}
        initialCursor={list.nextCursor}
        initialThread={thread}
        initialMessages={[...page.messages].reverse()}
        initialMessagesCursor={page.nextCursor}
        initialNotes={notes}
        anyConversation={anyThread.length > 0}
        renderedAt={renderedAt}
      />
    </div>
  );
}
