// The structural lint rules refuse what they are for and let the app's own shapes through.
import path from 'node:path';
import { RuleTester } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import { describe, it } from 'vitest';
import confide from './confide-rules.js';

RuleTester.describe = describe;
RuleTester.it = it;
const tester = new RuleTester({ languageOptions: { parser: tsParser } });
const src = (file) => path.resolve(import.meta.dirname, '../src', file);

tester.run('feature-boundary', confide.rules['feature-boundary'], {
  valid: [
    { filename: src('features/inbox/InboxPage.tsx'), code: "import { useConversation } from './api';" },
    { filename: src('features/inbox/InboxPage.tsx'), code: "import { useMembers } from '../../lib/queries';" },
    { filename: src('app/router.tsx'), code: "const page = () => import('../features/inbox/InboxPage');" },
    { filename: src('lib/queries.ts'), code: "import { api } from './api';" },
  ],
  invalid: [
    {
      filename: src('features/inbox/InboxPage.tsx'),
      code: "import { memberRules } from '../members/MembersPage';",
      errors: [{ messageId: 'otherFeature', data: { from: 'inbox', to: 'members' } }],
    },
    {
      filename: src('lib/tenant.ts'),
      code: "export { logOut } from '../features/auth/api';",
      errors: [{ messageId: 'upward' }],
    },
    {
      filename: src('components/Field.tsx'),
      code: "import { routes } from '../app/router';",
      errors: [{ messageId: 'upward' }],
    },
  ],
});

tester.run('query-keys', confide.rules['query-keys'], {
  valid: [
    { filename: src('features/inbox/api.ts'), code: "useQuery({ queryKey: ['conversations'] });" },
    { filename: src('lib/queries.ts'), code: "useQuery({ queryKey: ['members'] });" },
    { filename: src('features/inbox/InboxPage.tsx'), code: 'client.invalidateQueries({ queryKey: conversationKeys.all });' },
  ],
  invalid: [
    {
      filename: src('features/inbox/InboxPage.tsx'),
      code: "client.invalidateQueries({ queryKey: ['conversations'] });",
      errors: [{ messageId: 'inline' }],
    },
    {
      filename: src('features/profile/ProfilePage.tsx'),
      code: "client.setQueryData(['profile'], saved);",
      errors: [{ messageId: 'inline' }],
    },
  ],
});
