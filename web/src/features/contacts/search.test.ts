import { describe, expect, it } from 'vitest';
import { searchFor } from './ContactsPage';

describe('the contact search', () => {
  it('looks up an email or a phone number exactly, and filters by tag', () => {
    expect(searchFor(' vip ', 'ada@example.com')).toEqual({ tag: 'vip', email: 'ada@example.com' });
    expect(searchFor('', '+49 30 1234567')).toEqual({ phone: '+49 30 1234567' });
    expect(searchFor('', '  ')).toEqual({});
  });
});
