import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, fetchBlob, unwrap } from '../../lib/api';
import { analysisKeys } from '../../lib/queries';

const running = (status: string | undefined) => status === 'queued' || status === 'running';

/// The tenant's analyses, newest first, a page at a time; asked for again while one is running.
export function useAnalyses() {
  return useInfiniteQuery({
    queryKey: analysisKeys.list,
    queryFn: ({ pageParam }) => unwrap(api.GET('/v1/analyses', { params: { query: { limit: 20, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
    refetchInterval: (query) => (query.state.data?.pages.some((p) => p.items.some((a) => running(a.status))) ? 3000 : false),
  });
}

/// An analysis, asked for again every two seconds until it has finished.
export function useAnalysis(id: string) {
  return useQuery({
    queryKey: analysisKeys.one(id),
    queryFn: () => unwrap(api.GET('/v1/analyses/{id}', { params: { path: { id } } })),
    refetchInterval: (query) => (running(query.state.data?.status) ? 2000 : false),
  });
}

/// The HTML report of a finished analysis; it never changes.
export function useReport(id: string) {
  return useQuery({ queryKey: analysisKeys.report(id), queryFn: () => fetchBlob(reportPath(id, 'html')), staleTime: Infinity });
}

export const FORMATS = ['html', 'md', 'json', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

export function reportPath(id: string, format: Format) {
  return `/v1/analyses/${encodeURIComponent(id)}/report?format=${format}`;
}
