import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../lib/api';
import { billingKeys } from '../../lib/queries';

/// Billing after a return from Stripe Checkout: the subscription arrives by webhook, perhaps
/// seconds later, so it is asked for every three seconds until it shows (or a minute has passed).
export function useBillingAfterCheckout(waiting: boolean) {
  const [started] = useState(Date.now);
  return useQuery({
    queryKey: billingKeys.checkoutReturn,
    queryFn: () => unwrap(api.GET('/v1/billing')),
    refetchInterval: (query) => (waiting && !query.state.data?.status && Date.now() - started < 60_000 ? 3000 : false),
  });
}
