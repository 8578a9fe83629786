import { useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../lib/api';

/// New messages appear without a reload: the open list and thread are asked for again this often.
const POLL_MS = 5000;

export const conversationKeys = {
  all: ['conversations'] as const,
  list: (status: Schemas['ConversationStatus']) => ['conversations', status] as const,
  one: (id: string) => ['conversations', 'one', id] as const,
};

/// The tenant's conversations in `status`, fifty newest, kept current.
export function useConversations(status: Schemas['ConversationStatus']) {
  return useQuery({
    queryKey: conversationKeys.list(status),
    queryFn: () => unwrap(api.GET('/v1/conversations', { params: { query: { status, limit: 50 } } })),
    refetchInterval: POLL_MS,
  });
}

/// One conversation with its messages, kept current.
export function useConversation(id: string) {
  return useQuery({
    queryKey: conversationKeys.one(id),
    queryFn: () => unwrap(api.GET('/v1/conversations/{id}', { params: { path: { id } } })),
    refetchInterval: POLL_MS,
  });
}
