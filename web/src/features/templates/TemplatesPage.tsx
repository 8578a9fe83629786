import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { ErrorNotice, QueryState } from '../../components/Feedback';
import { PageHeader } from '../../components/PageHeader';
import { api, unwrap } from '../../lib/api';
import { useI18n } from '../../lib/i18n';
import { useCan } from '../../lib/tenant';
import { templateKeys, useTemplates } from './api';

export function Page() {
  const { t, formatDate } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const canWrite = useCan('analyses_write');
  const templates = useTemplates();
  const run = useMutation({
    mutationFn: (templateId: string) => unwrap(api.POST('/v1/analyses', { body: { template_id: templateId } })),
    onSuccess: (accepted) => navigate(`/analyses/${accepted.id}`),
  });
  const remove = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/v1/analysis-templates/{id}', { params: { path: { id } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: templateKeys.all }),
  });
  if (!templates.data) return <QueryState isPending={templates.isPending} error={templates.error} />;
  return (
    <>
      <PageHeader title={t('templates.title')} />
      <p>{t('templates.intro')}</p>
      <ErrorNotice error={run.error ?? remove.error} showFieldErrors />
      {templates.data.items.length === 0 && <p>{t('templates.none')}</p>}
      {templates.data.items.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('templates.name')}</th>
              <th scope="col">{t('analyses.kind')}</th>
              <th scope="col">{t('templates.updated')}</th>
              <th scope="col">{t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {templates.data.items.map((template) => (
              <tr key={template.id}>
                <td>
                  <Link to={`/templates/${template.id}`}>{template.name}</Link>
                </td>
                <td>{t(`kind.${template.kind}`)}</td>
                <td>{formatDate(template.updated_at)}</td>
                <td className="actions">
                  <button type="button" disabled={!canWrite || run.isPending} onClick={() => run.mutate(template.id)} aria-label={t('templates.runNamed', { name: template.name })}>
                    {t('templates.run')}
                  </button>
                  <button
                    type="button"
                    className="danger"
                    disabled={!canWrite || remove.isPending}
                    aria-label={t('templates.deleteNamed', { name: template.name })}
                    onClick={() => window.confirm(t('templates.confirmDelete', { name: template.name })) && remove.mutate(template.id)}
                  >
                    {t('common.delete')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
