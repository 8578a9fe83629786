import { Link } from 'react-router';
import { ErrorNotice, Loading, UsageBar } from '../../components/Feedback';
import { PageHeader } from '../../components/PageHeader';
import { useI18n } from '../../lib/i18n';
import { useBilling } from '../../lib/queries';
import { useCan, useTenant } from '../../lib/tenant';
import { useAnalysisUsage, useRecentAnalyses } from './api';

export function Page() {
  const { t, formatDate } = useI18n();
  const { data: tenant } = useTenant();
  const canReadAnalyses = useCan('analyses_read');
  const canSeeBilling = useCan('billing_manage');
  const recent = useRecentAnalyses(canReadAnalyses);
  const billing = useBilling({ enabled: canSeeBilling });
  const usage = useAnalysisUsage(canReadAnalyses && !canSeeBilling);

  return (
    <>
      <PageHeader
        title={tenant ? t('dashboard.title', { company: tenant.company }) : t('nav.dashboard')}
        actions={useCan('analyses_write') && <Link className="button" to="/analyses/new">{t('analyses.new')}</Link>}
      />
      <div className="grid">
        {canReadAnalyses && (
          <section className="card" aria-labelledby="recent-heading">
            <h2 id="recent-heading">{t('dashboard.recent')}</h2>
            {recent.isPending ? <Loading /> : <ErrorNotice error={recent.error} />}
            {recent.data && recent.data.items.length === 0 && <p>{t('dashboard.noAnalyses')}</p>}
            <ul className="plain-list">
              {recent.data?.items.map((analysis) => (
                <li key={analysis.id}>
                  <Link to={`/analyses/${analysis.id}`}>{t(`kind.${analysis.kind}`)}</Link>{' '}
                  <span className={`badge status-${analysis.status}`}>{t(`status.${analysis.status}`)}</span>{' '}
                  <span className="muted">{formatDate(analysis.created_at)}</span>
                </li>
              ))}
            </ul>
          </section>
        )}
        {billing.data && (
          <section className="card" aria-labelledby="usage-heading">
            <h2 id="usage-heading">{t('dashboard.usage', { month: billing.data.month })}</h2>
            <p>{t('billing.plan', { plan: t(`plan.${billing.data.plan}`) })}</p>
            <UsageBar label={t('metered.analyses_per_month')} used={billing.data.usage.analyses_per_month} limit={billing.data.limits.analyses_per_month} />
            <UsageBar label={t('metered.ai_tokens_per_month')} used={billing.data.usage.ai_tokens_per_month} limit={billing.data.limits.ai_tokens_per_month} />
            <UsageBar label={t('metered.seats')} used={billing.data.usage.seats} limit={billing.data.limits.seats} />
          </section>
        )}
        {usage.data && (
          <section className="card" aria-labelledby="usage-heading">
            <h2 id="usage-heading">{t('dashboard.usage', { month: usage.data.month })}</h2>
            <p>{t('dashboard.analysesThisMonth', { count: usage.data.usage.analyses })}</p>
          </section>
        )}
      </div>
    </>
  );
}
