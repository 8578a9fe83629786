import { useQuery } from '@tanstack/react-query';
import { api, ApiFailure, unwrap } from '../../lib/api';

export const channelKeys = {
  twilio: ['channels', 'twilio'] as const,
  email: ['channels', 'email'] as const,
};

/// A channel not yet connected answers 404: that is "nothing yet" (`null`), not an error.
const absentIs404 = <T,>(pending: Promise<T>) =>
  pending.catch((e: unknown) => {
    if (e instanceof ApiFailure && e.status === 404) return null;
    throw e;
  });

export function useTwilioChannel(enabled: boolean) {
  return useQuery({ queryKey: channelKeys.twilio, queryFn: () => absentIs404(unwrap(api.GET('/v1/channels/twilio'))), enabled });
}

export function useEmailChannel(enabled: boolean) {
  return useQuery({ queryKey: channelKeys.email, queryFn: () => absentIs404(unwrap(api.GET('/v1/channels/email'))), enabled });
}
