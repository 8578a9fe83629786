import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ErrorNotice, fieldError, QueryState } from '../../components/Feedback';
import { SelectField, TextField } from '../../components/Field';
import { PageHeader } from '../../components/PageHeader';
import { api, unwrap, type Schemas } from '../../lib/api';
import { roleValues } from '../../lib/api-schema';
import { useI18n } from '../../lib/i18n';
import { memberKeys, useMembers } from '../../lib/queries';
import { useTenant } from '../../lib/tenant';

type Member = Schemas['MemberView'];
type Role = Schemas['Role'];
const ROLES = roleValues;

/// What the API enforces, shown before anyone tries: only roles the caller may give, never an
/// owner's change by a non-owner, and never the last owner's.
export function memberRules(member: Member, members: Member[], assignable: Role[]) {
  const owners = members.filter((m) => m.role === 'owner').length;
  const lastOwner = member.role === 'owner' && owners <= 1;
  const mayManage = assignable.includes(member.role);
  return { mayChangeRole: mayManage && !lastOwner, mayRemove: mayManage && !lastOwner, lastOwner };
}

export function Page() {
  const { t, formatDate } = useI18n();
  const tenant = useTenant();
  const queryClient = useQueryClient();
  const members = useMembers();
  const [invited, setInvited] = useState<Member | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: memberKeys.all });
  const invite = useMutation({
    mutationFn: (body: { email: string; role: Role }) => unwrap(api.POST('/v1/members', { body })),
    onSuccess: (member) => {
      setInvited(member);
      void refresh();
    },
  });
  const changeRole = useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: Role }) =>
      unwrap(api.PATCH('/v1/members/{user_id}', { params: { path: { user_id: userId } }, body: { role } })),
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: (userId: string) => unwrap(api.DELETE('/v1/members/{user_id}', { params: { path: { user_id: userId } } })),
    onSettled: refresh,
  });

  if (!members.data || !tenant.data) return <QueryState isPending={members.isPending || tenant.isPending} error={members.error ?? tenant.error} />;
  const assignable = tenant.data.assignable_roles;
  const canManage = tenant.data.your_permissions.includes('members_manage');

  function submitInvite(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setInvited(null);
    invite.mutate({ email: String(form.get('email') ?? ''), role: String(form.get('role')) as Role });
  }

  return (
    <>
      <PageHeader title={t('members.title')} />
      <section className="card">
        <h2>{t('members.invite')}</h2>
        {!canManage && <p className="hint">{t('common.readOnlyRole')}</p>}
        <form onSubmit={submitInvite} className="inline-form">
          <fieldset disabled={!canManage || invite.isPending}>
            <TextField label={t('field.email')} name="email" type="email" required error={fieldError(invite.error, 'email')} />
            <SelectField
              label={t('members.role')}
              name="role"
              defaultValue="analyst"
              error={fieldError(invite.error, 'role')}
              options={ROLES.map((role) => ({ value: role, label: t(`role.${role}`), disabled: !assignable.includes(role) }))}
            />
            <button type="submit">{t('members.sendInvite')}</button>
          </fieldset>
        </form>
        <ErrorNotice error={invite.error} />
        {invited && (
          <div className="notice notice-ok" role="status">
            <p>{t('members.invited', { email: invited.email })}</p>
            {invited.temporary_password && (
              <p>
                {t('members.temporaryPassword')} <code data-testid="temporary-password">{invited.temporary_password}</code>
              </p>
            )}
          </div>
        )}
      </section>
      <section className="card">
        <h2>{t('members.list')}</h2>
        <ErrorNotice error={changeRole.error ?? remove.error} showFieldErrors />
        <table>
          <thead>
            <tr>
              <th scope="col">{t('field.email')}</th>
              <th scope="col">{t('members.role')}</th>
              <th scope="col">{t('members.joined')}</th>
              <th scope="col">{t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {members.data.members.map((member) => {
              const rules = memberRules(member, members.data.members, canManage ? assignable : []);
              const you = member.user_id === tenant.data.your_user_id;
              return (
                <tr key={member.user_id}>
                  <td>
                    {member.email} {you && <span className="badge">{t('members.you')}</span>}
                  </td>
                  <td>
                    <label className="visually-hidden" htmlFor={`role-${member.user_id}`}>
                      {t('members.roleOf', { email: member.email })}
                    </label>
                    <select
                      id={`role-${member.user_id}`}
                      value={member.role}
                      disabled={!rules.mayChangeRole || changeRole.isPending}
                      title={rules.lastOwner ? t('members.lastOwner') : undefined}
                      onChange={(e) => changeRole.mutate({ userId: member.user_id, role: e.target.value as Role })}
                    >
                      {ROLES.map((role) => (
                        <option key={role} value={role} disabled={role !== member.role && !assignable.includes(role)}>
                          {t(`role.${role}`)}
                        </option>
                      ))}
                    </select>
                    {rules.lastOwner && <p className="hint">{t('members.lastOwner')}</p>}
                  </td>
                  <td>{formatDate(member.joined_at)}</td>
                  <td>
                    <button
                      type="button"
                      className="danger"
                      disabled={!rules.mayRemove || remove.isPending}
                      aria-label={t('members.removeNamed', { email: member.email })}
                      onClick={() => window.confirm(t('members.confirmRemove', { email: member.email })) && remove.mutate(member.user_id)}
                    >
                      {t('members.remove')}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
    </>
  );
}
