import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const FORMAT = 'v1';

/** The key id stored with a sealed secret: which of the configured keys opens it. */
function keyId(key: Buffer): string {
  return createHash('sha256').update('esi-leap webhook key id\0').update(key).digest('hex').slice(0, 8);
}

/**
 * Seals webhook signing secrets for the database with AES-256-GCM under a key from
 * `[webhooks] secret_keys` (the configuration, not the database), so that a database dump
 * alone does not reveal them. The webhook's id is authenticated with each secret, so a sealed
 * secret copied onto another webhook row does not open.
 */
export class WebhookSecretBox {
  private readonly keys: ReadonlyArray<{ id: string; key: Buffer }>;

  constructor(secretKeys: readonly string[]) {
    this.keys = secretKeys.map((text) => {
      const key = createHash('sha256').update(text, 'utf8').digest();
      return { id: keyId(key), key };
    });
  }

  seal(webhookId: string, secret: string): string {
    if (this.keys.length === 0) throw new Error('[webhooks] secret_keys is empty');
    const { id, key } = this.keys[0];
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(webhookId, 'utf8'));
    const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return [FORMAT, id, iv.toString('base64'), cipher.getAuthTag().toString('base64'), sealed.toString('base64')].join(
      ':',
    );
  }

  /** The secret; throws when no configured key opens it (a key was removed) or it was tampered with. */
  open(webhookId: string, stored: string): string {
    const [format, id, iv, tag, sealed] = stored.split(':');
    if (format !== FORMAT || sealed === undefined) throw new Error('webhook secret: unknown storage format');
    const entry = this.keys.find((k) => k.id === id);
    if (!entry) throw new Error(`webhook secret: sealed with key ${id}, which is not in [webhooks] secret_keys`);
    const decipher = createDecipheriv('aes-256-gcm', entry.key, Buffer.from(iv, 'base64'));
    decipher.setAAD(Buffer.from(webhookId, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64')), decipher.final()]).toString('utf8');
  }
}
