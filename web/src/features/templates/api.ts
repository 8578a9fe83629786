import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../lib/api';

export const templateKeys = {
  all: ['templates'] as const,
  one: (id: string) => ['templates', id] as const,
};

/// The tenant's saved analysis forms.
export function useTemplates() {
  return useQuery({ queryKey: templateKeys.all, queryFn: () => unwrap(api.GET('/v1/analysis-templates')) });
}

export function useTemplate(id: string) {
  return useQuery({
    queryKey: templateKeys.one(id),
    queryFn: () => unwrap(api.GET('/v1/analysis-templates/{id}', { params: { path: { id } } })),
  });
}
