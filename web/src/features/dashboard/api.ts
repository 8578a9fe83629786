import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../lib/api';
import { analysisKeys } from '../../lib/queries';

/// The five newest analyses.
export function useRecentAnalyses(enabled: boolean) {
  return useQuery({
    queryKey: analysisKeys.recent,
    queryFn: () => unwrap(api.GET('/v1/analyses', { params: { query: { limit: 5 } } })),
    enabled,
  });
}

/// This month's analyses against the plan's allowance, for members who may not see billing.
export function useAnalysisUsage(enabled: boolean) {
  return useQuery({ queryKey: analysisKeys.usage, queryFn: () => unwrap(api.GET('/v1/analysis-usage')), enabled });
}
