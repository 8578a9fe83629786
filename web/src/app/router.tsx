import { createBrowserRouter, type RouteObject } from 'react-router';
import { ErrorPage } from '../components/Feedback';
import { ApiFailure } from '../lib/api';
import { Layout } from './Layout';
import { RequireSession } from './RequireSession';
import { LoginPage } from '../features/auth/LoginPage';
import { SignupPage } from '../features/auth/SignupPage';

/// Each page is its own chunk, loaded when first opened: the first page needs only the shell.
function page(load: () => Promise<{ Page: React.ComponentType }>): Pick<RouteObject, 'lazy'> {
  return { lazy: () => load().then(({ Page }) => ({ Component: Page })) };
}

const signedIn: RouteObject[] = [
  { index: true, ...page(() => import('../features/dashboard/DashboardPage')) },
  { path: 'profile', ...page(() => import('../features/profile/ProfilePage')) },
  { path: 'members', ...page(() => import('../features/members/MembersPage')) },
  { path: 'analyses', ...page(() => import('../features/analyses/AnalysesPage')) },
  { path: 'analyses/new', ...page(() => import('../features/analyses/NewAnalysisPage')) },
  { path: 'analyses/:id', ...page(() => import('../features/analyses/AnalysisPage')) },
  { path: 'templates', ...page(() => import('../features/templates/TemplatesPage')) },
  { path: 'templates/:id', ...page(() => import('../features/templates/TemplatePage')) },
  { path: 'billing', ...page(() => import('../features/billing/BillingPage')) },
  { path: 'audit', ...page(() => import('../features/audit/AuditPage')) },
  { path: 'settings', ...page(() => import('../features/settings/SettingsPage')) },
  { path: 'contacts', ...page(() => import('../features/contacts/ContactsPage')) },
  { path: 'contacts/new', ...page(() => import('../features/contacts/ContactPage')) },
  { path: 'contacts/:id', ...page(() => import('../features/contacts/ContactPage')) },
  { path: 'inbox', ...page(() => import('../features/inbox/InboxPage')) },
  { path: 'inbox/:id', ...page(() => import('../features/inbox/InboxPage')) },
  { path: 'campaigns', ...page(() => import('../features/campaigns/CampaignsPage')) },
  { path: 'security', ...page(() => import('../features/auth/SecurityPageRoute')) },
  { path: '*', Component: () => <ErrorPage error={new ApiFailure(404, undefined)} /> },
];

export const router = createBrowserRouter([
  { path: '/login', Component: LoginPage },
  { path: '/signup', Component: SignupPage },
  {
    Component: RequireSession,
    children: [{ Component: Layout, children: signedIn }],
  },
]);
