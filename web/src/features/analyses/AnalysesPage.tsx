import { Link } from 'react-router';
import { QueryState } from '../../components/Feedback';
import { PageHeader } from '../../components/PageHeader';
import { useI18n } from '../../lib/i18n';
import { useCan } from '../../lib/tenant';
import { useAnalyses } from './api';

export function Page() {
  const { t, formatDate } = useI18n();
  const canWrite = useCan('analyses_write');
  const analyses = useAnalyses();
  const items = analyses.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <>
      <PageHeader
        title={t('analyses.title')}
        actions={
          canWrite ? (
            <Link className="button" to="/analyses/new">{t('analyses.new')}</Link>
          ) : (
            <button type="button" disabled title={t('common.readOnlyRole')}>{t('analyses.new')}</button>
          )
        }
      />
      <QueryState isPending={analyses.isPending} error={analyses.error} />
      {analyses.data && items.length === 0 && <p>{t('dashboard.noAnalyses')}</p>}
      {items.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('analyses.kind')}</th>
              <th scope="col">{t('analyses.status')}</th>
              <th scope="col">{t('analyses.created')}</th>
              <th scope="col">{t('analyses.provider')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((analysis) => (
              <tr key={analysis.id}>
                <td>
                  <Link to={`/analyses/${analysis.id}`}>{t(`kind.${analysis.kind}`)}</Link>
                </td>
                <td>
                  <span className={`badge status-${analysis.status}`}>{t(`status.${analysis.status}`)}</span>
                </td>
                <td>{formatDate(analysis.created_at)}</td>
                <td>{analysis.provider ? `${analysis.provider} · ${analysis.model ?? ''}` : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {analyses.hasNextPage && (
        <button type="button" className="secondary" onClick={() => void analyses.fetchNextPage()} disabled={analyses.isFetchingNextPage}>
          {t('common.more')}
        </button>
      )}
    </>
  );
}
