import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../lib/api';

export function useKinds() {
  return useQuery({ queryKey: ['analysis-kinds'], queryFn: () => unwrap(api.GET('/v1/analysis-kinds')), staleTime: 300_000 });
}

/// An analysis, asked for again every two seconds until it has finished.
export function useAnalysis(id: string) {
  return useQuery({
    queryKey: ['analyses', id],
    queryFn: () => unwrap(api.GET('/v1/analyses/{id}', { params: { path: { id } } })),
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      return status === 'queued' || status === 'running' ? 2000 : false;
    },
  });
}

export const FORMATS = ['html', 'md', 'json', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

export function reportPath(id: string, format: Format) {
  return `/v1/analyses/${encodeURIComponent(id)}/report?format=${format}`;
}
