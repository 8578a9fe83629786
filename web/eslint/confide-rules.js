// Confide's own lint rules: the web app's structure, kept by the linter rather than by habit.
//
// - `feature-boundary`: a feature (src/features/<name>) imports only its own files, src/lib and
//   src/components; lib and components import no feature and not the app shell. What two features
//   share moves to src/lib.
// - `query-keys`: a TanStack Query key is written only in a feature's `api.ts` or in src/lib, where
//   its factory lives, so one key never gets two spellings on two pages.
import path from 'node:path';

const SRC = path.resolve(import.meta.dirname, '../src');

/// Where a file sits: `{ area: 'features', feature: 'inbox' }`, `{ area: 'lib' }`, … or null
/// outside src.
function placeOf(file) {
  const relative = path.relative(SRC, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return null;
  const [area, feature] = relative.split(path.sep);
  return { area, feature: area === 'features' ? feature : undefined };
}

function importedPlace(context, source) {
  if (!source.startsWith('.')) return null;
  return placeOf(path.resolve(path.dirname(context.filename), source));
}

const featureBoundary = {
  meta: {
    type: 'problem',
    docs: { description: 'features import only themselves, lib and components; lib and components import no feature' },
    schema: [],
    messages: {
      otherFeature: "The {{from}} feature imports from the {{to}} feature: move what they share to src/lib.",
      upward: 'src/{{from}} imports from src/{{to}}: shared code must not depend on features or the app shell.',
    },
  },
  create(context) {
    const here = placeOf(context.filename);
    if (!here) return {};
    function check(node, source) {
      if (typeof source !== 'string') return;
      const there = importedPlace(context, source);
      if (!there) return;
      if (here.area === 'features' && there.area === 'features' && there.feature !== here.feature) {
        context.report({ node, messageId: 'otherFeature', data: { from: here.feature, to: there.feature } });
      }
      if ((here.area === 'lib' || here.area === 'components') && (there.area === 'features' || there.area === 'app')) {
        context.report({ node, messageId: 'upward', data: { from: here.area, to: there.area } });
      }
    }
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

const QUERY_CLIENT_KEY_METHODS = new Set(['setQueryData', 'getQueryData', 'setQueriesData']);

const queryKeys = {
  meta: {
    type: 'problem',
    docs: { description: "query keys are written only in a feature's api.ts or in src/lib" },
    schema: [],
    messages: {
      inline: "Query key written inline: use the key factory in this feature's api.ts (or src/lib/queries.ts if features share it).",
    },
  },
  create(context) {
    const here = placeOf(context.filename);
    if (!here || here.area === 'lib' || path.basename(context.filename) === 'api.ts') return {};
    return {
      Property(node) {
        const name = node.key.type === 'Identifier' ? node.key.name : node.key.value;
        if (name === 'queryKey' && node.value.type === 'ArrayExpression') {
          context.report({ node: node.value, messageId: 'inline' });
        }
      },
      CallExpression(node) {
        const callee = node.callee;
        const method = callee.type === 'MemberExpression' && callee.property.type === 'Identifier' ? callee.property.name : null;
        if (method && QUERY_CLIENT_KEY_METHODS.has(method) && node.arguments[0]?.type === 'ArrayExpression') {
          context.report({ node: node.arguments[0], messageId: 'inline' });
        }
      },
    };
  },
};

export default { rules: { 'feature-boundary': featureBoundary, 'query-keys': queryKeys } };
