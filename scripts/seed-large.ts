// `npm run seed:large`: fills DATABASE_URL (PostgreSQL) with 100,000 threads and 1,000,000 messages
// (with status history) for benchmarks: conversations spread over the last 90 days, realistic statuses,
// channels, error codes, prices, agent/API/bot replies and everyday message texts. Options: --threads N --messages-per-thread N.
// Refuses to seed a database that already has conversations unless --force.
import { openDatabase } from "../lib/db";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

/**
 * Message bodies: everyday customer-service phrases in Spanish and English, each with an order number
 * (#00000–#99999, about ten messages each at a million), so message search has common words, accents and
 * rare tokens to find.
 */
export const SEED_PHRASES = 30;
const BODY_SQL = `(ARRAY['Hola, quisiera saber el estado de mi pedido', '¿Cuándo llega mi envío? Ya pasaron tres días', 'Gracias, el paquete llegó en perfecto estado', 'Necesito cambiar la dirección de entrega', '¿Tienen disponible la talla mediana en azul?', 'El pago con tarjeta fue rechazado, ¿qué hago?', 'Quiero devolver un producto defectuoso', '¿Cuál es el horario de atención en tienda?', 'Su pedido fue enviado y llegará mañana', 'Le compartimos el número de guía de su envío', 'Con gusto, ¿me confirma su correo electrónico?', 'La factura ya está disponible en su cuenta', 'Lamentamos el retraso, estamos revisando su caso', '¿Hacen envíos a Monterrey y Guadalajara?', 'Buenos días, necesito ayuda con mi cuenta', 'Hi, where is my order? It has not arrived yet', 'Thanks for the quick reply, that solved it', 'Can I change the delivery address for my package?', 'Your refund has been processed successfully', 'We shipped your order today, here is the tracking number', 'Is this item available in a larger size?', 'My payment failed, can you help me?', 'The product arrived damaged, I would like a replacement', 'What are your opening hours on Sunday?', 'Please confirm your appointment for tomorrow', 'Recordatorio: su cita es mañana a las 10:00', 'Olvidé mi contraseña y no puedo entrar', '¿Aceptan pagos en efectivo al recibir?', 'Perfecto, muchas gracias por su atención', 'Order received, we will notify you when it ships'])[1 + abs(hashtext(t.id::text || ':' || k::text)) % 30] || ' #' || lpad((abs(hashtext(k::text || ':' || t.id::text)) % 100000)::text, 5, '0')`;

export async function seedLarge(url: string | undefined, threads: number, perThread: number, log = console.log) {
  const db = await openDatabase({ url, dataDir: process.env.HILO_DATA_DIR || undefined });
  try {
    const [{ n }] = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM threads`);
    if (n > 0 && !process.argv.includes("--force")) throw new Error(`The database already has ${n} conversations; pass --force to add more.`);
    const t0 = Date.now();
    const offset = n;
    log(`seeding ${threads} contacts and threads…`);
    await db.sql.query(
      `INSERT INTO contacts (person_key, phone, name, wa_id, created_at)
       SELECT '+1555' || lpad((g + $2)::text, 7, '0'), '+1555' || lpad((g + $2)::text, 7, '0'), 'Contact ' || (g + $2), CASE WHEN g % 2 = 0 THEN '1555' || lpad((g + $2)::text, 7, '0') END,
              now() - interval '120 days'
       FROM generate_series(1, $1) g`,
      [threads, offset],
    );
    await db.sql.query(
      `INSERT INTO threads (channel, contact_id, business_address, customer_address, status, created_at, last_message_at)
       SELECT ch, id, '+14155238886', CASE WHEN ch = 'whatsapp' THEN 'whatsapp:' || phone ELSE phone END, status, created_at, last_message_at FROM (
       SELECT CASE WHEN (row_number() OVER ()) % 2 = 0 THEN 'whatsapp'::"Channel" ELSE 'sms'::"Channel" END AS ch, c.id, c.phone, CASE WHEN random() < 0.2 THEN 'closed'::"ThreadStatus" ELSE 'open'::"ThreadStatus" END AS status,
              now() - interval '120 days' AS created_at, now() - interval '120 days' AS last_message_at
       FROM contacts c LEFT JOIN threads t ON t.contact_id = c.id WHERE t.id IS NULL) n`,
    );
    const batch = Math.max(1, Math.floor(200_000 / perThread));
    const ids = await db.sql.query<{ id: string }>(`SELECT id::text FROM threads WHERE last_message_id IS NULL ORDER BY id`);
    for (let i = 0; i < ids.length; i += batch) {
      const chunk = ids.slice(i, i + batch).map((r) => r.id);
      // Statistics triggers are deferred during the bulk load; hilo_stats_rebuild() runs once at the end.
      await db.sql.transaction(async (tx) => {
        await tx.query(`SELECT set_config('hilo.stats_deferred', 'on', true)`);
        await tx.query(
          `INSERT INTO messages (thread_id, channel, direction, sender_type, body, "from", "to", twilio_sid, status, status_rank,
                                 error_code, price, price_unit, num_segments, created_at, updated_at)
           SELECT t.id, t.channel, CASE WHEN k % 2 = 1 THEN 'inbound'::"Direction" ELSE 'outbound'::"Direction" END,
                  CASE WHEN k % 2 = 1 THEN 'contact'::"SenderType" WHEN z.r2 < 0.8 THEN 'agent'::"SenderType"
                       WHEN z.r2 < 0.9 THEN 'api'::"SenderType" ELSE 'bot'::"SenderType" END,
                  (${BODY_SQL}), '+14155238886', c.phone, 'SM' || md5(t.id::text || k::text),
                  s.status, s.rank, s.error_code,
                  CASE WHEN s.status IN ('queued', 'failed') THEN NULL WHEN k % 2 = 1 AND t.channel = 'whatsapp' THEN NULL
                       WHEN t.channel = 'sms' THEN 0.0079 * (1 + (z.r2 < 0.2)::int) WHEN z.r2 < 0.7 THEN 0.0050 ELSE 0.0147 END,
                  CASE WHEN s.status IN ('queued', 'failed') OR (k % 2 = 1 AND t.channel = 'whatsapp') THEN NULL ELSE 'USD' END,
                  1 + (t.channel = 'sms' AND z.r2 < 0.2)::int, ts, ts
           FROM unnest($1::uuid[]) AS x(id)
           JOIN threads t ON t.id = x.id
           JOIN contacts c ON c.id = t.contact_id
           -- a conversation: one random start in the last 90 days, then a message every 9–17 minutes
           -- (the start is derived from the thread id: a per-thread random() could be re-evaluated per message)
           CROSS JOIN LATERAL (SELECT now() - interval '3 hours'
                                      - (('x' || substr(md5(t.id::text), 1, 8))::bit(32)::bigint / 4294967296.0) * interval '90 days' AS base) b
           CROSS JOIN generate_series(1, $2) k
           CROSS JOIN LATERAL (SELECT b.base + (k - 1) * interval '9 minutes' + random() * interval '8 minutes' AS ts,
                                      random() AS r, random() AS r2, k AS kk) z
           CROSS JOIN LATERAL (
             SELECT CASE WHEN k % 2 = 1 THEN 'received'::"MessageStatus"
                         WHEN z.r < 0.04 THEN 'failed'::"MessageStatus" WHEN z.r < 0.08 THEN 'undelivered'::"MessageStatus"
                         WHEN z.r < 0.50 AND t.channel = 'whatsapp' THEN 'read'::"MessageStatus"
                         WHEN z.r < 0.95 THEN 'delivered'::"MessageStatus"
                         WHEN z.r < 0.98 THEN 'sent'::"MessageStatus" ELSE 'queued'::"MessageStatus" END AS status,
                    CASE WHEN k % 2 = 1 THEN 4 WHEN z.r < 0.08 THEN 3 WHEN z.r < 0.50 AND t.channel = 'whatsapp' THEN 5
                         WHEN z.r < 0.95 THEN 4 WHEN z.r < 0.98 THEN 2 ELSE 0 END AS rank,
                    CASE WHEN k % 2 = 1 OR z.r >= 0.08 THEN NULL
                         WHEN t.channel = 'whatsapp' THEN (ARRAY[63016, 63016, 63003, 63024, 63032])[1 + floor(z.r2 * 5)::int]
                         ELSE (ARRAY[30003, 30005, 30007, 30006, 21610, 21211])[1 + floor(z.r2 * 6)::int] END AS error_code
           ) s`,
          [chunk, perThread],
        );
      });
      await db.sql.query(
        `INSERT INTO message_status_events (message_id, status, previous_status, received_at, error_code, source)
         SELECT m.id, m.status, CASE WHEN m.direction = 'outbound' THEN 'queued'::"MessageStatus" END, m.created_at, m.error_code, 'seed'
         FROM messages m WHERE m.thread_id = ANY($1::uuid[])`,
        [chunk],
      );
      await db.sql.query(
        `UPDATE threads t SET last_message_at = l.created_at, last_message_id = l.id,
                last_inbound_at = (SELECT max(created_at) FROM messages WHERE thread_id = t.id AND direction = 'inbound'),
                unread_count = CASE WHEN random() < 0.3 THEN 1 + floor(random() * 3)::int ELSE 0 END
         FROM (SELECT DISTINCT ON (thread_id) thread_id, id, created_at FROM messages WHERE thread_id = ANY($1::uuid[])
               ORDER BY thread_id, created_at DESC, id DESC) l
         WHERE t.id = l.thread_id`,
        [chunk],
      );
      log(`  ${Math.min(i + batch, ids.length)} / ${ids.length} threads (${Math.round((Date.now() - t0) / 1000)} s)`);
    }
    log(`rebuilding statistics (response times and rollup)…`);
    await db.sql.query(`SELECT hilo_stats_rebuild()`);
    await db.sql.exec(`ANALYZE`);
    const [counts] = await db.sql.query<{ threads: number; messages: number }>(
      `SELECT (SELECT count(*) FROM threads)::int AS threads, (SELECT count(*) FROM messages)::int AS messages`,
    );
    log(`done in ${Math.round((Date.now() - t0) / 1000)} s: ${counts.threads} threads, ${counts.messages} messages`);
  } finally {
    await db.close();
  }
}

if (process.argv[1]?.endsWith("seed-large.ts")) {
  seedLarge(process.env.DATABASE_URL || undefined, arg("threads", 100_000), arg("messages-per-thread", 10)).catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
