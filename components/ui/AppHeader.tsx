import Link from "next/link";
import type { SessionUser } from "@/lib/auth/sessions";
import type { Dictionary, Locale } from "@/lib/i18n";
import { AvailabilitySwitch } from "./AvailabilitySwitch";
import { LanguageSwitch } from "./LanguageSwitch";
import { SignOutButton } from "./SignOutButton";

export function AppHeader({ user, t, locale, current }: { user: SessionUser; t: Dictionary; locale: Locale; current: string }) {
  const links = [
    { href: "/", label: t.nav.inbox, admin: false },
    { href: "/canned", label: t.nav.canned, admin: false },
    { href: "/stats", label: t.nav.stats, admin: true },
    { href: "/admin/users", label: t.nav.users, admin: true },
    { href: "/admin/labels", label: t.labels.nav, admin: true },
    { href: "/admin/api-keys", label: t.nav.apiKeys, admin: true },
    { href: "/admin/bots", label: t.automationNav.bots, admin: true },
    { href: "/admin/settings", label: t.automationNav.settings, admin: true },
    { href: "/admin/twilio", label: t.backfill.nav, admin: true },
  ].filter((l) => !l.admin || user.role === "admin");
  return (
    <header className="flex flex-wrap items-center gap-x-4 gap-y-1 border-b border-slate-200 bg-white px-4 py-2">
      <Link href="/" className="order-1 text-xl font-bold text-emerald-700">Hilo</Link>
      {/* Phones: the links get their own row, scrolling sideways rather than wrapping. */}
      <nav aria-label="Main" className="order-3 -mx-1 flex w-full gap-1 overflow-x-auto px-1 md:order-2 md:mx-0 md:w-auto md:px-0">
        {links.map((l) => (
          <Link
            key={l.href}
            href={l.href}
            aria-current={current === l.href ? "page" : undefined}
            className={`shrink-0 whitespace-nowrap rounded-md px-2.5 py-1 text-sm ${current === l.href ? "bg-emerald-50 font-semibold text-emerald-800" : "text-slate-600 hover:bg-slate-100"}`}
          >
            {l.label}
          </Link>
        ))}
      </nav>
      <div className="order-2 ml-auto flex items-center gap-2 md:order-3">
        <AvailabilitySwitch t={t.availability} />
        <LanguageSwitch locale={locale} label={t.nav.language} />
        <span className="hidden text-sm text-slate-600 sm:inline" title={user.email}>{user.name}</span>
        <SignOutButton label={t.nav.signOut} />
      </div>
    </header>
  );
}
