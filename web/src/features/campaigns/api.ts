import { useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../lib/api';

export const campaignKeys = {
  all: ['campaigns'] as const,
  audience: (channel: Schemas['Channel'], tags: string) => ['campaign-audience', channel, tags] as const,
};

/// The fifty newest campaigns; their counts grow while one is sending, so asked for again then.
export function useCampaigns() {
  return useQuery({
    queryKey: campaignKeys.all,
    queryFn: () => unwrap(api.GET('/v1/campaigns', { params: { query: { limit: 50 } } })),
    refetchInterval: (query) => (query.state.data?.items.some((c) => c.status === 'sending') ? 3000 : false),
  });
}

/// Who a campaign to contacts tagged with any of `tags` (comma-separated) would reach on `channel`.
export function useAudience(channel: Schemas['Channel'], tags: string) {
  return useQuery({
    queryKey: campaignKeys.audience(channel, tags),
    queryFn: () => unwrap(api.POST('/v1/campaigns/audience', { body: { channel, audience: { tags: tags.split(',') } } })),
    enabled: tags !== '',
  });
}
