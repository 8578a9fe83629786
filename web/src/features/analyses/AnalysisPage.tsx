import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { ErrorNotice, QueryState } from '../../components/Feedback';
import { PageHeader } from '../../components/PageHeader';
import { api, downloadFile, unwrap } from '../../lib/api';
import { useI18n } from '../../lib/i18n';
import { useCan } from '../../lib/tenant';
import { analysisKeys } from '../../lib/queries';
import { FORMATS, reportPath, useAnalysis, useReport } from './api';

export function Page() {
  const { t, formatDate, formatNumber } = useI18n();
  const id = useParams().id ?? '';
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const canWrite = useCan('analyses_write');
  const analysis = useAnalysis(id);
  const [downloadError, setDownloadError] = useState<unknown>(null);
  const retry = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/analyses/{id}/retry', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: analysisKeys.all }),
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/v1/analyses/{id}', { params: { path: { id } } })),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: analysisKeys.one(id) });
      void queryClient.invalidateQueries({ queryKey: analysisKeys.all });
      navigate('/analyses', { replace: true });
    },
  });

  if (!analysis.data) return <QueryState isPending={analysis.isPending} error={analysis.error} />;
  const a = analysis.data;
  const live = a.status === 'queued' || a.status === 'running';
  return (
    <>
      <PageHeader
        title={a.result?.title ?? t(`kind.${a.kind}`)}
        actions={
          <>
            {a.status === 'failed' && (
              <button type="button" onClick={() => retry.mutate()} disabled={!canWrite || retry.isPending}>
                {t('analyses.retry')}
              </button>
            )}
            <button
              type="button"
              className="danger"
              disabled={!canWrite || remove.isPending}
              onClick={() => window.confirm(t('analyses.confirmDelete')) && remove.mutate()}
            >
              {t('common.delete')}
            </button>
          </>
        }
      />
      <dl className="facts">
        <dt>{t('analyses.kind')}</dt>
        <dd>{t(`kind.${a.kind}`)}</dd>
        <dt>{t('analyses.status')}</dt>
        <dd>
          <span className={`badge status-${a.status}`} role="status" aria-live="polite">
            {t(`status.${a.status}`)}
          </span>
        </dd>
        <dt>{t('analyses.created')}</dt>
        <dd>{formatDate(a.created_at)}</dd>
        {a.provider && (
          <>
            <dt>{t('analyses.provider')}</dt>
            <dd>
              {a.provider} · {a.model}
            </dd>
          </>
        )}
        <dt>{t('analyses.tokens')}</dt>
        <dd>{formatNumber(a.usage.input_tokens + a.usage.output_tokens)}</dd>
      </dl>
      {live && <p className="loading">{t('analyses.waiting')}</p>}
      {a.failure && <p className="notice notice-error" role="alert">{a.failure}</p>}
      <ErrorNotice error={retry.error ?? remove.error ?? downloadError} showFieldErrors />
      {a.status === 'succeeded' && (
        <>
          <div className="actions downloads" role="group" aria-label={t('analyses.downloads')}>
            {FORMATS.map((format) => (
              <button
                key={format}
                type="button"
                className="secondary"
                onClick={() => downloadFile(reportPath(id, format), `analysis-${id}.${format}`).catch(setDownloadError)}
              >
                {t('analyses.download', { format: format.toUpperCase() })}
              </button>
            ))}
          </div>
          <Report id={id} title={a.result?.title ?? t(`kind.${a.kind}`)} />
        </>
      )}
    </>
  );
}

/// The HTML report in a sandboxed frame: no scripts, no same-origin access, whatever it contains.
function Report({ id, title }: { id: string; title: string }) {
  const t = useI18n().t;
  const report = useReport(id);
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!report.data) return;
    const objectUrl = URL.createObjectURL(report.data.body);
    setUrl(objectUrl);
    return () => URL.revokeObjectURL(objectUrl);
  }, [report.data]);
  if (report.error) return <ErrorNotice error={report.error} showFieldErrors />;
  if (!url) return <p className="loading">{t('common.loading')}</p>;
  return <iframe className="report" sandbox="" src={url} title={t('analyses.reportOf', { title })} />;
}
