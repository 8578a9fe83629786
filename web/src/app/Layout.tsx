import { useState } from 'react';
import { NavLink, Outlet, useNavigate } from 'react-router';
import { logOut } from '../features/auth/api';
import { LANGUAGES, useI18n } from '../lib/i18n';
import type { MessageKey } from '../lib/i18n/en';
import { useTenant, type Permission } from '../lib/tenant';

/// The navigation, in the order a small business uses it; an entry shows only when the role may open it.
const NAVIGATION: { to: string; label: MessageKey; needs?: Permission }[] = [
  { to: '/', label: 'nav.dashboard' },
  { to: '/analyses', label: 'nav.analyses', needs: 'analyses_read' },
  { to: '/templates', label: 'nav.templates', needs: 'analyses_read' },
  { to: '/inbox', label: 'nav.inbox', needs: 'contacts_read' },
  { to: '/contacts', label: 'nav.contacts', needs: 'contacts_read' },
  { to: '/campaigns', label: 'nav.campaigns', needs: 'contacts_read' },
  { to: '/profile', label: 'nav.profile', needs: 'profile_read' },
  { to: '/members', label: 'nav.members', needs: 'members_read' },
  { to: '/billing', label: 'nav.billing', needs: 'billing_manage' },
  { to: '/audit', label: 'nav.audit', needs: 'audit_read' },
  { to: '/settings', label: 'nav.settings', needs: 'tenant_read' },
  { to: '/security', label: 'nav.security' },
];

export function Layout() {
  const { t, language, setLanguage } = useI18n();
  const { data: tenant } = useTenant();
  const navigate = useNavigate();
  const [menuOpen, setMenuOpen] = useState(false);
  const allowed = (needs?: Permission) => !needs || (tenant?.your_permissions.includes(needs) ?? false);

  async function signOut() {
    try {
      await logOut();
    } finally {
      navigate('/login', { replace: true });
    }
  }

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header className="top-bar">
        <span className="brand">Confide</span>
        {tenant && <span className="tenant-name">{tenant.company}</span>}
        <button type="button" className="menu-toggle secondary" aria-expanded={menuOpen} aria-controls="main-nav" onClick={() => setMenuOpen(!menuOpen)}>
          {t('nav.menu')}
        </button>
        <label className="language">
          <span className="visually-hidden">{t('nav.language')}</span>
          <select value={language} onChange={(e) => setLanguage(e.target.value as typeof language)}>
            {LANGUAGES.map((code) => (
              <option key={code} value={code}>
                {code === 'de' ? 'Deutsch' : 'English'}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="secondary" onClick={() => void signOut()}>
          {t('nav.logout')}
        </button>
      </header>
      <nav id="main-nav" aria-label={t('nav.label')} className={menuOpen ? 'side-nav open' : 'side-nav'}>
        <ul>
          {NAVIGATION.filter((item) => allowed(item.needs)).map((item) => (
            <li key={item.to}>
              <NavLink to={item.to} end={item.to === '/'} onClick={() => setMenuOpen(false)}>
                {t(item.label)}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
