// What more than one feature reads: the key of each such query and its hook, written once here, so
// a change saved on one page refreshes what another shows. A feature's own queries live in its
// `api.ts`; no query key is written anywhere else (the lint rule `confide/query-keys` holds it).
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from './api';

export const memberKeys = {
  all: ['members'] as const,
};

export function useMembers(options: { retry?: boolean } = {}) {
  return useQuery({ queryKey: memberKeys.all, queryFn: () => unwrap(api.GET('/v1/members')), ...options });
}

export const billingKeys = {
  all: ['billing'] as const,
  /// The same billing state, asked for again while a checkout's subscription is on its way.
  checkoutReturn: ['billing', 'return'] as const,
};

export function useBilling(options: { enabled?: boolean } = {}) {
  return useQuery({ queryKey: billingKeys.all, queryFn: () => unwrap(api.GET('/v1/billing')), ...options });
}

export const analysisKeys = {
  all: ['analyses'] as const,
  list: ['analyses', 'list'] as const,
  recent: ['analyses', 'recent'] as const,
  one: (id: string) => ['analyses', id] as const,
  report: (id: string) => ['analyses', id, 'report'] as const,
  kinds: ['analysis-kinds'] as const,
  usage: ['analysis-usage'] as const,
};

/// The analysis kinds and their forms: the same for every tenant, so kept for five minutes.
export function useAnalysisKinds() {
  return useQuery({ queryKey: analysisKeys.kinds, queryFn: () => unwrap(api.GET('/v1/analysis-kinds')), staleTime: 300_000 });
}

export const contactKeys = {
  all: ['contacts'] as const,
  search: (search: object) => ['contacts', search] as const,
  one: (id: string) => ['contacts', 'one', id] as const,
  consents: (id: string) => ['contacts', 'one', id, 'consents'] as const,
};

/// One contact; asks nothing until `id` is known.
export function useContact(id: string | undefined) {
  return useQuery({
    queryKey: contactKeys.one(id ?? ''),
    queryFn: () => unwrap(api.GET('/v1/contacts/{id}', { params: { path: { id: id ?? '' } } })),
    enabled: Boolean(id),
  });
}
