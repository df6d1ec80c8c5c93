export function ChannelBadge({ channel, compact }: { channel: "whatsapp" | "sms"; compact?: boolean }) {
  const whatsapp = channel === "whatsapp";
  return (
    <span
      className={`inline-flex shrink-0 items-center gap-1 rounded-full px-2 py-0.5 text-[11px] font-medium ${
        whatsapp ? "bg-emerald-100 text-emerald-800" : "bg-sky-100 text-sky-800"
      }`}
      title={whatsapp ? "WhatsApp" : "SMS"}
    >
      {whatsapp ? (
        <svg viewBox="0 0 24 24" className="h-3 w-3" aria-hidden="true" fill="currentColor">
          <path d="M12 2a10 10 0 0 0-8.6 15.1L2 22l5-1.3A10 10 0 1 0 12 2Zm5.3 14.1c-.2.6-1.3 1.2-1.8 1.2-.5.1-1 .2-3.3-.7-2.8-1.1-4.5-3.9-4.7-4.1-.1-.2-1.1-1.5-1.1-2.8s.7-2 1-2.3c.2-.3.5-.3.7-.3h.5c.2 0 .4 0 .6.5l.8 2c.1.2.1.4 0 .5l-.3.5-.4.4c-.1.2-.3.3-.1.6.2.3.8 1.3 1.6 2 1.1 1 2 1.3 2.3 1.4.3.2.5.1.6 0l.9-1c.2-.3.4-.2.6-.1l1.9.9c.3.1.5.2.5.3.1.1.1.7-.1 1.3Z" />
        </svg>
      ) : (
        <svg viewBox="0 0 24 24" className="h-3 w-3" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="2">
          <path d="M4 5h16v11H8l-4 4V5Z" strokeLinejoin="round" />
        </svg>
      )}
      {!compact && (whatsapp ? "WhatsApp" : "SMS")}
    </span>
  );
}
