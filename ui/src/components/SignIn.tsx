import { useState } from 'preact/hooks';
import { api } from '../api';
import { keepToken } from '../session';

/**
 * Sign-in with Keystone: the service exchanges the password for a project-scoped token and
 * forgets both; the token stays in this tab's session storage. Or paste a token made with
 * `openstack token issue`.
 */
export function SignIn({ problem, onSignedIn }: { problem: string | null; onSignedIn: () => void }) {
  const [mode, setMode] = useState<'password' | 'token'>('password');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [fields, setFields] = useState({ username: '', password: '', project: '', domain: 'Default', token: '' });
  const field = (name: keyof typeof fields) => ({
    value: fields[name],
    onInput: (e: Event) => setFields({ ...fields, [name]: (e.target as HTMLInputElement).value }),
  });

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    if (mode === 'token') {
      keepToken(fields.token.trim(), {});
      onSignedIn();
      return;
    }
    setBusy(true);
    try {
      const signedIn = await api.signIn({
        username: fields.username,
        password: fields.password,
        project: fields.project,
        domain: fields.domain,
      });
      keepToken(signedIn.token, {
        user: signedIn.user.name,
        project: signedIn.project.name,
        expiresAt: signedIn.expires_at,
      });
      setFields({ ...fields, password: '' });
      onSignedIn();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <form class="card" onSubmit={submit} aria-labelledby="sign-in-heading">
        <h1 id="sign-in-heading">Sign in to esi-leap</h1>
        {(error ?? problem) && (
          <p class="error" role="alert">
            {error ?? problem}
          </p>
        )}
        <div class="tabs" role="tablist">
          <button type="button" role="tab" aria-selected={mode === 'password'} onClick={() => setMode('password')}>
            Password
          </button>
          <button type="button" role="tab" aria-selected={mode === 'token'} onClick={() => setMode('token')}>
            Token
          </button>
        </div>
        {mode === 'password' ? (
          <>
            <label>
              User
              <input name="username" autoComplete="username" required {...field('username')} />
            </label>
            <label>
              Password
              <input name="password" type="password" autoComplete="current-password" required {...field('password')} />
            </label>
            <label>
              Project
              <input name="project" required {...field('project')} />
            </label>
            <label>
              Domain
              <input name="domain" {...field('domain')} />
            </label>
          </>
        ) : (
          <label>
            Keystone token (<code>openstack token issue -f value -c id</code>)
            <input name="token" autoComplete="off" spellcheck={false} required {...field('token')} />
          </label>
        )}
        <button type="submit" class="primary" disabled={busy}>
          Sign in
        </button>
        <p class="muted small">Your password goes to Keystone through this service and is not kept.</p>
      </form>
    </main>
  );
}
