import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../lib/api';

export const profileKeys = {
  all: ['profile'] as const,
};

/// The business profile the assistant and the analyses draw on.
export function useProfile() {
  return useQuery({ queryKey: profileKeys.all, queryFn: () => unwrap(api.GET('/v1/tenant/profile')) });
}
