// Texts come from message catalogs; the German catalog must have every English key (a type error
// otherwise). The language is the person's choice if they made one, else the browser's
// Accept-Language order.
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { de } from './de';
import { en, type MessageKey } from './en';

export type Language = 'en' | 'de';
export const LANGUAGES: Language[] = ['en', 'de'];
const CATALOGS: Record<Language, Record<MessageKey, string>> = { en, de };
const STORAGE_KEY = 'confide.language';

export function preferredLanguage(
  stored: string | null,
  browser: readonly string[],
): Language {
  if (stored === 'en' || stored === 'de') return stored;
  for (const tag of browser) {
    const primary = tag.toLowerCase().split('-')[0];
    if (primary === 'de' || primary === 'en') return primary;
  }
  return 'en';
}

/// `{name}` placeholders are filled from `values`.
export function format(template: string, values?: Record<string, string | number>): string {
  if (!values) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}

export function isMessageKey(key: string): key is MessageKey {
  return key in en;
}

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

interface I18n {
  language: Language;
  setLanguage: (language: Language) => void;
  t: Translate;
  formatDate: (iso: string | null | undefined) => string;
  formatNumber: (value: number) => string;
}

const I18nContext = createContext<I18n | null>(null);

function readStored(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function I18nProvider({ children, initial }: { children: ReactNode; initial?: Language }) {
  const [language, setLanguageState] = useState<Language>(
    () => initial ?? preferredLanguage(readStored(), navigator.languages ?? [navigator.language]),
  );
  const setLanguage = useCallback((next: Language) => {
    setLanguageState(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Private windows may refuse storage; the choice then lasts for this page only.
    }
  }, []);
  const value = useMemo<I18n>(() => {
    const catalog = CATALOGS[language];
    const locale = language === 'de' ? 'de-DE' : 'en-GB';
    const dates = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
    const numbers = new Intl.NumberFormat(locale);
    document.documentElement.lang = language;
    return {
      language,
      setLanguage,
      t: (key, values) => format(catalog[key], values),
      formatDate: (iso) => (iso ? dates.format(new Date(iso)) : '—'),
      formatNumber: (n) => numbers.format(n),
    };
  }, [language, setLanguage]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error('useI18n outside I18nProvider');
  return i18n;
}

export function useT(): Translate {
  return useI18n().t;
}

/// The label of a schema form's field: the catalog's `form.<field>` if it has one, else the name
/// made readable, so a new analysis kind shows without a catalog change.
export function useFieldLabel(): (field: string) => string {
  const t = useT();
  return (field) => {
    const key = `form.${field}`;
    return isMessageKey(key) ? t(key) : field.charAt(0).toUpperCase() + field.slice(1).replace(/_/g, ' ');
  };
}
