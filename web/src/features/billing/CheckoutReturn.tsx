import { QueryState } from '../../components/Feedback';
import { useT } from '../../lib/i18n';
import { useBillingAfterCheckout } from './api';

/// Shown on the billing page when Stripe Checkout sends the browser back (`?checkout=success` or
/// `canceled`), until the subscription the webhook brings shows.
export function CheckoutReturn({ outcome }: { outcome: string }) {
  const t = useT();
  const cancelled = outcome !== 'success';
  const billing = useBillingAfterCheckout(!cancelled);
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
