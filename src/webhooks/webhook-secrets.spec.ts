import { WebhookSecretBox } from './webhook-secrets';

describe('WebhookSecretBox', () => {
  const box = new WebhookSecretBox(['first key, 16+ chars', 'older key, 16+ chars']);

  it('seals so that the stored text does not contain the secret, and opens it again', () => {
    const sealed = box.seal('hook-1', 'the signing secret');
    expect(sealed).not.toContain('the signing secret');
    expect(sealed).not.toContain(Buffer.from('the signing secret').toString('base64'));
    expect(box.open('hook-1', sealed)).toBe('the signing secret');
    expect(box.seal('hook-1', 'the signing secret')).not.toBe(sealed);
  });

  it('opens secrets sealed under an older key still listed, and refuses once it is removed', () => {
    const old = new WebhookSecretBox(['older key, 16+ chars']).seal('hook-2', 's3cret');
    expect(box.open('hook-2', old)).toBe('s3cret');
    expect(() => new WebhookSecretBox(['first key, 16+ chars']).open('hook-2', old)).toThrow(
      /not in \[webhooks\] secret_keys/,
    );
  });

  it('refuses a secret moved to another webhook or altered', () => {
    const sealed = box.seal('hook-3', 's3cret');
    expect(() => box.open('hook-4', sealed)).toThrow();
    const parts = sealed.split(':');
    parts[4] = Buffer.from('x').toString('base64');
    expect(() => box.open('hook-3', parts.join(':'))).toThrow();
  });
});
