import { useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../lib/api';

/// What the audit log can be filtered by.
export interface Filters {
  action?: Schemas['AuditAction'];
  actor?: string;
  from?: string;
  to?: string;
}

export const auditKeys = {
  page: (filters: Filters, cursor: string | undefined) => ['audit', filters, cursor] as const,
};

/// One page of the audit log, fifty entries, filtered.
export function useAuditPage(filters: Filters, cursor: string | undefined) {
  return useQuery({
    queryKey: auditKeys.page(filters, cursor),
    queryFn: () => unwrap(api.GET('/v1/audit', { params: { query: { ...filters, limit: 50, cursor } } })),
  });
}
