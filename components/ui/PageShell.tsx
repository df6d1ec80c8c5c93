import type { ReactNode } from "react";
import type { SessionUser } from "@/lib/auth/sessions";
import type { Dictionary, Locale } from "@/lib/i18n";
import { AppHeader } from "./AppHeader";

/** The frame of a management page: the header with its navigation, the page's title and intro, its content. */
export function PageShell({
  user,
  t,
  locale,
  current,
  title,
  intro,
  width = "5xl",
  children,
}: {
  user: SessionUser;
  t: Dictionary;
  locale: Locale;
  /** The page's path (marks its link in the navigation). */
  current: string;
  title: string;
  intro?: string;
  width?: "4xl" | "5xl";
  children: ReactNode;
}) {
  return (
    <div className="min-h-dvh" lang={locale}>
      <AppHeader user={user} t={t} locale={locale} current={current} />
      <main className={`mx-auto ${width === "4xl" ? "max-w-4xl" : "max-w-5xl"} p-4 sm:p-6`}>
        <h1 className={`text-xl font-semibold ${intro ? "" : "mb-4"}`}>{title}</h1>
        {intro && <p className="mb-4 mt-1 max-w-3xl text-sm text-slate-600">{intro}</p>}
        {children}
      </main>
    </div>
  );
}
