import { describe, expect, it } from 'vitest';
import { memberRules } from './MembersPage';

const member = (user_id: string, role: 'owner' | 'admin' | 'analyst') => ({
  user_id,
  email: `${user_id}@example.com`,
  role,
  joined_at: '2026-11-28T10:00:00Z',
});

describe('what the members page lets a person do', () => {
  const owner = member('o', 'owner');
  const admin = member('a', 'admin');
  const analyst = member('n', 'analyst');

  it('never lets the last owner be removed or demoted', () => {
    const rules = memberRules(owner, [owner, admin], ['owner', 'admin', 'analyst', 'agent', 'viewer']);
    expect(rules).toEqual({ mayChangeRole: false, mayRemove: false, lastOwner: true });
  });

  it('lets an owner manage a second owner', () => {
    const second = member('o2', 'owner');
    expect(memberRules(second, [owner, second], ['owner', 'admin']).mayRemove).toBe(true);
  });

  it("lets an admin manage everyone but owners, as the API's may_manage says", () => {
    const adminMay = ['admin', 'analyst', 'agent', 'viewer'] as const;
    expect(memberRules(analyst, [owner, admin, analyst], [...adminMay]).mayRemove).toBe(true);
    expect(memberRules(owner, [owner, member('o2', 'owner')], [...adminMay]).mayRemove).toBe(false);
  });

  it('lets a role without members_manage change nothing', () => {
    expect(memberRules(analyst, [owner, analyst], [])).toEqual({ mayChangeRole: false, mayRemove: false, lastOwner: false });
  });
});
