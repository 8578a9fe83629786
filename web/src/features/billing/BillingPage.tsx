import { useMutation } from '@tanstack/react-query';
import { ErrorNotice, QueryState, UsageBar } from '../../components/Feedback';
import { PageHeader } from '../../components/PageHeader';
import { useSearchParams } from 'react-router';
import { api, unwrap, type Schemas } from '../../lib/api';
import { useI18n } from '../../lib/i18n';
import { useBilling } from '../../lib/queries';
import { CheckoutReturn } from './CheckoutReturn';

const PAID_PLANS: Schemas['Plan'][] = ['starter', 'business'];

/// Stripe holds the card: Checkout and the Billing Portal are Stripe's pages, opened by redirect.
export function Page() {
  const { t, formatDate } = useI18n();
  const checkoutOutcome = useSearchParams()[0].get('checkout');
  const billing = useBilling();
  const go = (redirect: { url: string }) => window.location.assign(redirect.url);
  const checkout = useMutation({
    mutationFn: (plan: Schemas['Plan']) => unwrap(api.POST('/v1/billing/checkout', { body: { plan } })),
    onSuccess: go,
  });
  const portal = useMutation({ mutationFn: () => unwrap(api.POST('/v1/billing/portal')), onSuccess: go });
  if (!billing.data) return <QueryState isPending={billing.isPending} error={billing.error} />;
  const b = billing.data;
  const period = b.current_period?.end ? formatDate(new Date(b.current_period.end * 1000).toISOString()) : null;
  return (
    <>
      <PageHeader title={t('billing.title')} />
      {checkoutOutcome && <CheckoutReturn outcome={checkoutOutcome} />}
      <section className="card">
        <h2>{t('billing.plan', { plan: t(`plan.${b.plan}`) })}</h2>
        {b.status && <p>{t('billing.status', { status: t(`subscription.${b.status}`) })}</p>}
        {period && <p>{t('billing.renews', { date: period })}</p>}
        {!b.configured && <p className="notice">{t('billing.notConfigured')}</p>}
        <div className="actions">
          {PAID_PLANS.filter((plan) => plan !== b.plan).map((plan) => (
            <button key={plan} type="button" disabled={!b.configured || checkout.isPending} onClick={() => checkout.mutate(plan)}>
              {t('billing.upgrade', { plan: t(`plan.${plan}`) })}
            </button>
          ))}
          <button type="button" className="secondary" disabled={!b.configured || !b.status || portal.isPending} onClick={() => portal.mutate()}>
            {t('billing.manage')}
          </button>
        </div>
        <ErrorNotice error={checkout.error ?? portal.error} showFieldErrors />
      </section>
      <section className="card">
        <h2>{t('dashboard.usage', { month: b.month })}</h2>
        <UsageBar label={t('metered.analyses_per_month')} used={b.usage.analyses_per_month} limit={b.limits.analyses_per_month} />
        <UsageBar label={t('metered.ai_tokens_per_month')} used={b.usage.ai_tokens_per_month} limit={b.limits.ai_tokens_per_month} />
        <UsageBar label={t('metered.seats')} used={b.usage.seats} limit={b.limits.seats} />
        <p className="hint">{t('billing.otherLimits', { contacts: b.limits.contacts, messages: b.limits.messages_per_month })}</p>
      </section>
    </>
  );
}
