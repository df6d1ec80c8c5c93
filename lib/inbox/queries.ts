import type { PrismaClient } from "@/lib/db/generated/client";

export async function listThreads(prisma: PrismaClient, opts: { limit?: number } = {}) {
  return prisma.thread.findMany({
    orderBy: [{ lastMessageAt: "desc" }, { id: "desc" }],
    take: opts.limit ?? 50,
    include: {
      contact: true,
      messages: { orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: 1 },
    },
  });
}

export type ThreadSummary = Awaited<ReturnType<typeof listThreads>>[number];

export async function threadMessages(prisma: PrismaClient, threadId: string, opts: { limit?: number } = {}) {
  const rows = await prisma.message.findMany({
    where: { threadId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: opts.limit ?? 100,
  });
  return rows.reverse();
}

export type MessageRow = Awaited<ReturnType<typeof threadMessages>>[number];
