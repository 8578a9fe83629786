import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../lib/api';
import { contactKeys } from '../../lib/queries';

/// What the contacts list is narrowed to: an exact email or phone, or a tag.
export type Search = { email?: string; phone?: string; tag?: string };

/// The tenant's contacts matching `search`, newest first, fifty at a time.
export function useContacts(search: Search) {
  return useInfiniteQuery({
    queryKey: contactKeys.search(search),
    queryFn: ({ pageParam }) => unwrap(api.GET('/v1/contacts', { params: { query: { ...search, limit: 50, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
}

/// A contact's consent ledger, newest entry first.
export function useConsents(contactId: string) {
  return useQuery({
    queryKey: contactKeys.consents(contactId),
    queryFn: () => unwrap(api.GET('/v1/contacts/{id}/consents', { params: { path: { id: contactId } } })),
  });
}
