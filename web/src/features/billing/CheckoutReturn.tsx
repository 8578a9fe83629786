import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { QueryState } from '../../components/Feedback';
import { api, unwrap } from '../../lib/api';
import { useT } from '../../lib/i18n';

/// Shown on the billing page when Stripe Checkout sends the browser back (`?checkout=success` or
/// `canceled`). The subscription arrives by webhook, perhaps seconds later, so it asks until the
/// plan shows it (or a minute has passed).
export function CheckoutReturn({ outcome }: { outcome: string }) {
  const t = useT();
  const cancelled = outcome !== 'success';
  const [started] = useState(Date.now);
  const billing = useQuery({
    queryKey: ['billing', 'return'],
    queryFn: () => unwrap(api.GET('/v1/billing')),
    refetchInterval: (query) => (!cancelled && !query.state.data?.status && Date.now() - started < 60_000 ? 3000 : false),
  });
  return (
    <section className="card" aria-labelledby="checkout-return">
      <h2 id="checkout-return">{cancelled ? t('billing.returnCancelled') : t('billing.returnTitle')}</h2>
      {!cancelled && !billing.data?.status && <p className="loading" role="status">{t('billing.returnWaiting')}</p>}
      {billing.data?.status && (
        <p className="notice notice-ok" role="status">
          {t('billing.returnDone', { plan: t(`plan.${billing.data.plan}`), status: t(`subscription.${billing.data.status}`) })}
        </p>
      )}
      <QueryState isPending={false} error={billing.error} />
    </section>
  );
}
