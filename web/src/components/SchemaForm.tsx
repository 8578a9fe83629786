// A form drawn from a JSON Schema (an analysis kind's `form_schema`), so a new kind needs no UI code.
// The API checks the answers against the very same schema.
import Form from '@rjsf/core';
import type { RJSFSchema, UiSchema } from '@rjsf/utils';
import type { ReactNode } from 'react';
import { ApiFailure } from '../lib/api';
import { errorSchemaOf, formValidator, problemFromServer } from './schemaValidator';

type Json = Record<string, unknown>;

/// The schema without its `$schema` tag, which rjsf does not need.
export function formSchema(schema: Json): RJSFSchema {
  const { $schema: _ignored, ...rest } = schema;
  return rest as RJSFSchema;
}

/// Each field's label (from `labelOf`, e.g. the message catalog); long text fields get a text area.
export function uiSchemaFor(schema: Json, labelOf: (field: string) => string = (field) => field): UiSchema {
  const ui: UiSchema = { 'ui:submitButtonOptions': { norender: true } };
  const properties = (schema.properties ?? {}) as Record<string, Json>;
  for (const [name, property] of Object.entries(properties)) {
    const field: UiSchema = { 'ui:title': labelOf(name) };
    if (property.type === 'string' && typeof property.maxLength === 'number' && property.maxLength > 200) {
      field['ui:widget'] = 'textarea';
      field['ui:options'] = { rows: 4 };
    }
    ui[name] = field;
  }
  return ui;
}

export function SchemaForm({
  schema,
  formData,
  onChange,
  onSubmit,
  disabled,
  children,
  id,
  labelOf,
  serverError,
}: {
  /// The API's answer to the last submission: an `inputs` error is shown beside its field.
  serverError?: unknown;
  labelOf?: (field: string) => string;
  schema: Json;
  formData: unknown;
  onChange: (data: unknown) => void;
  onSubmit: (data: unknown) => void;
  disabled?: boolean;
  children?: ReactNode;
  id?: string;
}) {
  return (
    <Form
      id={id}
      schema={formSchema(schema)}
      uiSchema={uiSchemaFor(schema, labelOf)}
      validator={formValidator}
      extraErrors={serverErrors(serverError)}
      formData={formData}
      disabled={disabled}
      showErrorList={false}
      noHtml5Validate
      onChange={(event) => onChange(event.formData)}
      onSubmit={(event) => onSubmit(event.formData)}
    >
      {children}
    </Form>
  );
}

function serverErrors(error: unknown) {
  if (!(error instanceof ApiFailure) || error.field !== 'inputs') return undefined;
  const problem = problemFromServer(error.message);
  return problem ? errorSchemaOf([problem]) : undefined;
}
