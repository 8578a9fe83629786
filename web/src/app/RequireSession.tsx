import { useEffect, useState, useSyncExternalStore } from 'react';
import { Navigate, Outlet, useLocation } from 'react-router';
import { Loading } from '../components/Feedback';
import { currentToken, onSessionChange, refreshSession } from '../lib/session';

const subscribe = (listener: () => void) => onSessionChange(listener);

/// Pages behind it need a session: the token in memory, or one the refresh cookie can bring back
/// (a reload). Otherwise the login page, which returns here afterwards.
export function RequireSession() {
  const token = useSyncExternalStore(subscribe, currentToken);
  const location = useLocation();
  const [restoring, setRestoring] = useState(token === null);
  useEffect(() => {
    if (token !== null) return;
    let live = true;
    void refreshSession().finally(() => live && setRestoring(false));
    return () => {
      live = false;
    };
    // Only on first arrival (no dependencies): a sign-out later must not restore the session.
  }, []);
  if (token) return <Outlet />;
  if (restoring) return <Loading />;
  return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
}
