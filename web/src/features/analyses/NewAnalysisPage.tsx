import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { ErrorNotice, QueryState } from '../../components/Feedback';
import { TextField } from '../../components/Field';
import { PageHeader } from '../../components/PageHeader';
import { SchemaForm } from '../../components/SchemaForm';
import { api, unwrap, type Schemas } from '../../lib/api';
import { useFieldLabel, useT } from '../../lib/i18n';
import { useCan } from '../../lib/tenant';
import { useAnalysisKinds } from '../../lib/queries';

type Kind = Schemas['AnalysisKind'];

/// Choose a kind, fill its form, run it, or keep the form as a template for later.
export function Page() {
  const t = useT();
  const labelOf = useFieldLabel();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const kinds = useAnalysisKinds();
  const canWrite = useCan('analyses_write');
  const kind = params.get('kind') as Kind | null;
  const [inputs, setInputs] = useState<unknown>({});
  const [templateName, setTemplateName] = useState('');

  const run = useMutation({
    mutationFn: (formData: unknown) =>
      unwrap(api.POST('/v1/analyses', { body: { kind, inputs: formData as Record<string, never> } })),
    onSuccess: (accepted) => navigate(`/analyses/${accepted.id}`),
  });
  const saveTemplate = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/v1/analysis-templates', {
          body: { name: templateName, kind, inputs } as unknown as Schemas['TemplateDraft'],
        }),
      ),
  });

  if (!kinds.data) return <QueryState isPending={kinds.isPending} error={kinds.error} />;
  const chosen = kinds.data.kinds.find((k) => k.kind === kind);

  if (!chosen) {
    return (
      <>
        <PageHeader title={t('analyses.chooseKind')} />
        {!kinds.data.provider && <p className="notice">{t('analyses.offline')}</p>}
        <ul className="kind-list">
          {kinds.data.kinds.map((k) => (
            <li key={k.kind} className="card">
              <h2>{k.title}</h2>
              <p>{k.description}</p>
              <button
                type="button"
                disabled={!canWrite}
                onClick={() => {
                  setInputs({});
                  setParams({ kind: k.kind });
                }}
              >
                {t('analyses.useKind', { title: k.title })}
              </button>
            </li>
          ))}
        </ul>
      </>
    );
  }

  return (
    <>
      <PageHeader title={chosen.title} />
      <p>{chosen.description}</p>
      <div className="card">
        <SchemaForm
          id="analysis-form"
          labelOf={labelOf}
          serverError={run.error}
          schema={chosen.form_schema as Record<string, unknown>}
          formData={inputs}
          onChange={setInputs}
          onSubmit={(data) => run.mutate(data)}
          disabled={!canWrite || run.isPending}
        >
          <ErrorNotice error={run.error} showFieldErrors />
          <button type="submit" disabled={!canWrite || run.isPending}>
            {t('analyses.run')}
          </button>
        </SchemaForm>
      </div>
      <section className="card">
        <h2>{t('templates.saveTitle')}</h2>
        <form
          className="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            saveTemplate.mutate();
          }}
        >
          <TextField label={t('templates.name')} value={templateName} onChange={(e) => setTemplateName(e.target.value)} required maxLength={100} />
          <button type="submit" className="secondary" disabled={!canWrite || saveTemplate.isPending}>
            {t('templates.save')}
          </button>
        </form>
        <ErrorNotice error={saveTemplate.error} showFieldErrors />
        {saveTemplate.isSuccess && <p className="notice notice-ok" role="status">{t('templates.saved', { name: saveTemplate.data.name })}</p>}
      </section>
    </>
  );
}
