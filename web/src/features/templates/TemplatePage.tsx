import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useParams } from 'react-router';
import { ErrorNotice, fieldError, QueryState } from '../../components/Feedback';
import { TextField } from '../../components/Field';
import { PageHeader } from '../../components/PageHeader';
import { SchemaForm } from '../../components/SchemaForm';
import { api, unwrap, type Schemas } from '../../lib/api';
import { useFieldLabel, useT } from '../../lib/i18n';
import { useAnalysisKinds } from '../../lib/queries';
import { useCan } from '../../lib/tenant';
import { templateKeys, useTemplate } from './api';

/// Edit a saved form: its name and its answers, in the kind's own schema form.
export function Page() {
  const id = useParams().id ?? '';
  const template = useTemplate(id);
  const kinds = useAnalysisKinds();
  if (!template.data || !kinds.data) {
    return <QueryState isPending={template.isPending || kinds.isPending} error={template.error ?? kinds.error} />;
  }
  const kind = kinds.data.kinds.find((k) => k.kind === template.data.kind);
  if (!kind) return <QueryState isPending={false} error={null} />;
  return <TemplateEditor template={template.data} schema={kind.form_schema as Record<string, unknown>} />;
}

function TemplateEditor({ template, schema }: { template: Schemas['AnalysisTemplate']; schema: Record<string, unknown> }) {
  const t = useT();
  const queryClient = useQueryClient();
  const canWrite = useCan('analyses_write');
  const labelOf = useFieldLabel();
  const [name, setName] = useState(template.name);
  const [inputs, setInputs] = useState<unknown>(template.inputs);
  const save = useMutation({
    mutationFn: (formData: unknown) =>
      unwrap(
        api.PUT('/v1/analysis-templates/{id}', {
          params: { path: { id: template.id } },
          body: { name, kind: template.kind, inputs: formData } as unknown as Schemas['TemplateDraft'],
        }),
      ),
    onSuccess: (saved) => {
      queryClient.setQueryData(templateKeys.one(template.id), saved);
      void queryClient.invalidateQueries({ queryKey: templateKeys.all, exact: true });
    },
  });
  return (
    <>
      <PageHeader title={t('templates.edit', { name: template.name })} />
      <div className="card">
        <TextField label={t('templates.name')} value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} error={fieldError(save.error, 'name')} disabled={!canWrite} />
        <SchemaForm labelOf={labelOf} serverError={save.error} schema={schema} formData={inputs} onChange={setInputs} onSubmit={(data) => save.mutate(data)} disabled={!canWrite || save.isPending}>
          <ErrorNotice error={save.error} showFieldErrors />
          {save.isSuccess && <p className="notice notice-ok" role="status">{t('common.saved')}</p>}
          <button type="submit" disabled={!canWrite || save.isPending}>
            {t('templates.saveChanges')}
          </button>
        </SchemaForm>
      </div>
    </>
  );
}
