import { Link } from 'react-router';
import { ApiFailure } from '../lib/api';
import { useT } from '../lib/i18n';

export function Loading() {
  const t = useT();
  return (
    <p className="loading" role="status">
      {t('common.loading')}
    </p>
  );
}

/// An API error in words: the API's own message; a plan limit with what was used and a way to upgrade.
/// A field error is shown beside its field instead, unless `showFieldErrors`.
export function ErrorNotice({ error, showFieldErrors = false }: { error: unknown; showFieldErrors?: boolean }) {
  const t = useT();
  if (!error) return null;
  if (!(error instanceof ApiFailure)) {
    return <p className="notice notice-error" role="alert">{t('error.unexpected')}</p>;
  }
  if (error.field && !showFieldErrors) {
    return <p className="notice notice-error" role="alert">{t('error.checkFields')}</p>;
  }
  if (error.status === 402 && error.limit) {
    return (
      <div className="notice notice-error" role="alert">
        <p>{error.message}</p>
        <p>
          {t('error.limit', { used: error.limit.used, limit: error.limit.limit })}{' '}
          <Link to="/billing">{t('error.upgrade')}</Link>
        </p>
      </div>
    );
  }
  return <p className="notice notice-error" role="alert">{error.message}</p>;
}

/// The message for one form field, if the error names it.
export function fieldError(error: unknown, field: string): string | undefined {
  return error instanceof ApiFailure && error.field === field ? error.message : undefined;
}

/// A whole page for what the caller may not see (403) or what does not exist (404).
export function ErrorPage({ error }: { error: unknown }) {
  const t = useT();
  const status = error instanceof ApiFailure ? error.status : 0;
  const title = status === 403 ? t('error.forbiddenTitle') : status === 404 ? t('error.notFoundTitle') : t('error.title');
  return (
    <section className="error-page">
      <h1>{title}</h1>
      {status === 403 ? <p>{t('error.forbidden')}</p> : status === 404 ? <p>{t('error.notFound')}</p> : <ErrorNotice error={error} showFieldErrors />}
      <p>
        <Link to="/">{t('error.home')}</Link>
      </p>
    </section>
  );
}

/// What a page shows while its data loads or when it failed.
export function QueryState({ isPending, error }: { isPending: boolean; error: unknown }) {
  if (error) return <ErrorPage error={error} />;
  if (isPending) return <Loading />;
  return null;
}

export function UsageBar({ label, used, limit }: { label: string; used: number; limit: number }) {
  const t = useT();
  const share = limit > 0 ? Math.min(100, Math.round((used / limit) * 100)) : 100;
  return (
    <div className="usage">
      <div className="usage-label">
        <span>{label}</span>
        <span>{t('usage.of', { used, limit })}</span>
      </div>
      <meter min={0} max={limit || 1} value={used} aria-label={label} high={(limit || 1) * 0.8} optimum={0}>
        {share}%
      </meter>
    </div>
  );
}
