import { Inject, Injectable } from '@nestjs/common';
import { createTransport, Transporter } from 'nodemailer';
import { ESI_LEAP_CONFIG } from '../../config/config.module';
import { EsiLeapConfig } from '../../config/esi-leap-config';

export const MAIL_SUBJECT = '[ESI]Lease notification';

/** One reused SMTP transport from `[email]`: optional STARTTLS (required when asked) and auth. */
@Injectable()
export class SmtpMailer {
  private transport: Transporter | null = null;

  constructor(@Inject(ESI_LEAP_CONFIG) private readonly config: EsiLeapConfig) {}

  /**
   * `messageId`: a Message-ID fixed by the caller, so that a mail sent again after a crash
   * (at least once) can be recognised as the same one by the recipient's mail system.
   */
  async send(to: string, text: string, messageId?: string): Promise<void> {
    const { sender } = this.config.email;
    if (!sender) throw new Error('[email] sender: required to send mail');
    await this.connection().sendMail({ from: sender, to, subject: MAIL_SUBJECT, text, messageId });
  }

  close(): void {
    this.transport?.close();
    this.transport = null;
  }

  private connection(): Transporter {
    if (!this.transport) {
      const { smtp_host: host, smtp_port: port, smtp_starttls: starttls, smtp_username: user, smtp_password: pass } =
        this.config.email;
      this.transport = createTransport({
        host,
        port,
        secure: false,
        requireTLS: starttls,
        ignoreTLS: !starttls,
        auth: user ? { user, pass: pass ?? '' } : undefined,
        connectionTimeout: 10_000,
        // Bounded, so that a server that stops answering cannot hold a mail (and its claim) for long.
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
      });
    }
    return this.transport;
  }
}
