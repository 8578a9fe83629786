// Who the caller is in their tenant: role, permissions and the roles they may give. Every feature
// reads it to show what the role does not allow as disabled, the way the API would refuse it.
import { useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from './api';

export type Permission = Schemas['Permission'];

export const tenantQuery = {
  queryKey: ['tenant'],
  queryFn: () => unwrap(api.GET('/v1/tenant')),
  staleTime: 60_000,
};

export function useTenant() {
  return useQuery(tenantQuery);
}

/// Whether the caller's role allows `permission`; false until the tenant is known.
export function useCan(permission: Permission): boolean {
  const { data } = useTenant();
  return data?.your_permissions.includes(permission) ?? false;
}
