import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react';
import { useEffect, useState } from 'react';
import { FormAlert } from '~/components/field';
import { SettingsTabs } from '~/components/settings-tabs';
import { attempt, requirePermission } from '~/utils/errors';
import { parseForm } from '~/utils/forms';
import { requireMe } from '~/utils/session.server';
import { parse as parseCookies } from 'cookie';
import { PERMISSIONS } from '../../server/contract/permissions';
import { SSO_CHANGE_REFUSED } from '../../server/contract/sso';
import { TEST_ERROR_COOKIE } from './settings.sso-test';
import { configureSsoInput, localTestIdpInput, SSO_PROTOCOL_LABELS, type SsoProtocol } from '../../server/contract/sso';

export const meta: MetaFunction = () => [{ title: 'Single sign-on · Settings · Seatwise' }];

export async function loader({ context, request }: LoaderFunctionArgs) {
  const me = await requireMe(context, request);
  requirePermission(me, 'settings.manage');
  const sso = await context.trpc.sso.get();
  const testError = parseCookies(request.headers.get('cookie') ?? '')[TEST_ERROR_COOKIE] ?? null;
  const headers = testError ? { 'Set-Cookie': `${TEST_ERROR_COOKIE}=; Max-Age=0; Path=/settings/sso; HttpOnly; SameSite=Lax` } : undefined;
  const canChange = PERMISSIONS.every((p) => me.permissions.includes(p));
  return json({ sso, slug: me.tenant.slug, appOrigin: new URL(request.url).origin, localTestIdps: context.env.localTestIdps, testError, canChange }, { headers });
}

type FieldErrors = Record<string, string[] | undefined>;

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData();
  const intent = form.get('intent');
  if (intent === 'disable') {
    if (form.get('confirm') !== 'yes') return json({ message: 'Tick the box to confirm that single sign-on should be turned off.', fieldErrors: {} as FieldErrors }, { status: 400 });
    const result = await attempt(context, () => context.trpc.sso.disable());
    if (!result.ok) return json({ message: result.errors.message, fieldErrors: {} as FieldErrors }, { status: result.status });
    return redirect('/settings/sso?disabled=1');
  }
  if (intent === 'local') {
    const parsed = localTestIdpInput.safeParse({ protocol: form.get('protocol') });
    if (!parsed.success) return json({ message: 'Choose OpenID Connect or SAML 2.0.', fieldErrors: {} as FieldErrors }, { status: 400 });
    const result = await attempt(context, () => context.trpc.sso.useLocalTestIdp(parsed.data));
    if (!result.ok) return json({ message: result.errors.message, fieldErrors: {} as FieldErrors }, { status: result.status });
    return redirect('/settings/sso?saved=1');
  }
  // An unticked checkbox sends nothing: here that means "off", not "unchanged".
  form.set('jitProvisioning', form.get('jitProvisioning') === 'on' ? 'true' : 'false');
  const submission = parseForm(form, configureSsoInput);
  if (submission.status !== 'success') {
    const reply = submission.reply();
    return json({ message: 'Check the fields marked below.', fieldErrors: (reply.error ?? {}) as FieldErrors }, { status: 400 });
  }
  const settings = submission.value;
  const result = await attempt(context, () => context.trpc.sso.configure(settings));
  if (!result.ok) return json({ message: result.errors.message, fieldErrors: result.errors.fieldErrors as FieldErrors }, { status: result.status });
  return redirect('/settings/sso?saved=1');
}

function Copy({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>
        <code className="copy">{value}</code>
      </dd>
    </div>
  );
}

function Input({ label, name, errors, hint, ...rest }: React.InputHTMLAttributes<HTMLInputElement> & { label: string; name: string; errors?: string[]; hint?: string }) {
  return (
    <label>
      {label}
      {hint ? <span className="hint">{hint}</span> : null}
      <input name={name} aria-invalid={errors?.length ? true : undefined} aria-describedby={errors?.length ? `${name}-error` : undefined} {...rest} />
      {errors?.length ? (
        <span className="field-error" id={`${name}-error`}>
          {errors.join(' ')}
        </span>
      ) : null}
    </label>
  );
}

export default function SingleSignOnSettings() {
  const { sso, slug, appOrigin, localTestIdps, testError, canChange } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const [search] = useSearchParams();
  const [protocol, setProtocol] = useState<SsoProtocol>(sso?.protocol ?? 'oidc');
  // A save (or the local test IdP button) may switch protocols without a new page: follow it.
  useEffect(() => setProtocol(sso?.protocol ?? 'oidc'), [sso?.protocol]);
  // Without JavaScript both protocols' fields show (the radio picks which are used); with it, only the chosen one's.
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  const shows = (p: SsoProtocol) => !hydrated || protocol === p;
  const errors = data?.fieldErrors ?? {};
  const base = `${appOrigin}/sso/${slug}`;
  const urls = { redirectUri: sso?.redirectUri ?? `${base}/oidc/callback`, acsUrl: sso?.acsUrl ?? `${base}/saml/acs`, entityId: sso?.entityId ?? `${base}/saml/metadata` };
  const test = sso?.lastTest;
  return (
    <div className="panel">
      <h1>Settings</h1>
      <SettingsTabs />
      <h2>Single sign-on</h2>
      {search.get('saved') && !data ? <p className="notice">Saved. Use “Test connection” to check it.</p> : null}
      {search.get('disabled') && !data ? <p className="notice">Single sign-on is off. Everyone signs in with a password again.</p> : null}
      {!canChange ? <p className="notice">{SSO_CHANGE_REFUSED}</p> : null}
      {testError && !data ? (
        <div className="alert" role="alert">
          {testError}
        </div>
      ) : null}
      <FormAlert message={data?.message} />
      <p>
        {sso?.enabled ? (
          <>
            People of this workspace can sign in with <strong>{sso.displayName}</strong> ({SSO_PROTOCOL_LABELS[sso.protocol]}) at{' '}
            <Link to={`/login?workspace=${slug}`}>/login?workspace={slug}</Link>.
          </>
        ) : sso ? (
          'Single sign-on is configured but turned off. Saving the form turns it on again.'
        ) : (
          'Connect your identity provider (Okta, Microsoft Entra ID, Google Workspace…) so that people sign in with their company account.'
        )}
      </p>

      <section aria-label="Values for your identity provider">
        <h3>Values to copy into your identity provider</h3>
        <dl className="copy-list">
          {shows('oidc') ? <Copy label="OpenID Connect redirect URI (sign-in redirect URI)" value={urls.redirectUri} /> : null}
          {shows('saml') ? (
            <>
              <Copy label="SAML ACS URL (assertion consumer service, single sign-on URL)" value={urls.acsUrl} />
              <Copy label="SAML entity ID (audience URI) and SP metadata URL" value={urls.entityId} />
            </>
          ) : null}
        </dl>
      </section>

      <Form method="post" className="stack" aria-label="Identity provider" key={`${sso?.protocol ?? 'none'} ${sso?.displayName ?? ''}`}>
        <fieldset>
          <legend>Protocol</legend>
          {(['oidc', 'saml'] as const).map((p) => (
            <label key={p} className="inline">
              <input type="radio" name="protocol" value={p} checked={protocol === p} onChange={() => setProtocol(p)} /> {SSO_PROTOCOL_LABELS[p]}
            </label>
          ))}
        </fieldset>
        <Input label="Name shown on the sign-in page" name="displayName" defaultValue={sso?.displayName ?? ''} errors={errors.displayName} hint="People see “Continue with …” this name." required />
        <div className="stack" hidden={!shows('oidc')}>
          <Input label="Issuer URL" name="issuer" defaultValue={sso?.issuer ?? ''} errors={errors.issuer} hint="For example https://example.okta.com or https://login.microsoftonline.com/<tenant id>/v2.0" />
          <Input label="Client ID" name="clientId" defaultValue={sso?.clientId ?? ''} errors={errors.clientId} />
          <Input label="Client secret" name="clientSecret" type="password" autoComplete="off" errors={errors.clientSecret} hint={sso?.hasClientSecret ? 'Stored. Leave empty to keep it.' : undefined} />
        </div>
        <div className="stack" hidden={!shows('saml')}>
          <label>
            Identity provider metadata XML
            <span className="hint">{sso?.protocol === 'saml' ? `Stored (${sso.idpEntityId}). Leave empty to keep it, or paste a new one.` : 'Paste the whole metadata document.'}</span>
            <textarea name="metadataXml" rows={6} aria-invalid={errors.metadataXml?.length ? true : undefined} aria-describedby={errors.metadataXml?.length ? 'metadataXml-error' : undefined} />
            {errors.metadataXml?.length ? (
              <span className="field-error" id="metadataXml-error">
                {errors.metadataXml.join(' ')}
              </span>
            ) : null}
          </label>
        </div>
        <label>
          Password sign-in
          <select name="passwordSignIn" defaultValue={sso?.passwordSignIn ?? 'everyone'}>
            <option value="everyone">Everyone may still use a password</option>
            <option value="owners">Owners only (break-glass); everyone else uses single sign-on</option>
          </select>
        </label>
        <label className="inline">
          <input type="checkbox" name="jitProvisioning" defaultChecked={sso?.jitProvisioning ?? false} /> Create accounts on first sign-in (just-in-time provisioning: uses a seat; the role of their highest group mapped in Provisioning, else Read Only)
        </label>
        <button type="submit" name="intent" value="configure">
          Save single sign-on
        </button>
      </Form>

      {localTestIdps ? (
        <Form method="post" className="toolbar" aria-label="Local test identity provider">
          <input type="hidden" name="intent" value="local" />
          <p className="muted">
            Development: a real identity provider runs locally with <code>npm start</code>.
          </p>
          <button type="submit" name="protocol" value="oidc" className="secondary">
            Use the local test IdP (OIDC)
          </button>
          <button type="submit" name="protocol" value="saml" className="secondary">
            Use the local test IdP (SAML)
          </button>
        </Form>
      ) : null}

      {sso?.enabled ? (
        <section aria-label="Test connection">
          <h3>Test connection</h3>
          <p>Signs you in at the identity provider and shows what it sent back, without signing you in here.</p>
          <a className="button secondary" href="/settings/sso-test">
            Test connection
          </a>
          {test ? (
            <div className="stack">
              <p className={test.ok ? 'notice' : 'alert'} role="status">
                {test.ok ? 'It worked. ' : 'It failed. '}
                {test.message}
              </p>
              <h4>{sso.protocol === 'oidc' ? 'Claims received' : 'Attributes received'}</h4>
              <pre className="test-report">
                {JSON.stringify(test.received, null, 2)}
              </pre>
            </div>
          ) : null}
        </section>
      ) : null}

      {sso?.enabled ? (
        <Form method="post" className="stack" aria-label="Turn single sign-on off">
          <h3>Turn single sign-on off</h3>
          <label className="inline">
            <input type="checkbox" name="confirm" value="yes" required /> Yes, turn single sign-on off (everyone signs in with a password again)
          </label>
          <button type="submit" name="intent" value="disable" className="danger">
            Disable single sign-on
          </button>
        </Form>
      ) : null}
    </div>
  );
}
