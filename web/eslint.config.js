// Lint of the web app: only Confide's structural rules (eslint/confide-rules.js); types and
// formatting are TypeScript's and the editor's.
import tsParser from '@typescript-eslint/parser';
import confide from './eslint/confide-rules.js';

export default [
  {
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['src/lib/api-schema.ts'],
    languageOptions: { parser: tsParser, parserOptions: { ecmaFeatures: { jsx: true } } },
    plugins: { confide },
    rules: {
      'confide/feature-boundary': 'error',
      'confide/query-keys': 'error',
    },
  },
];
