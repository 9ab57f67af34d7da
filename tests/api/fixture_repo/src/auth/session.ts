import { HttpClient } from '../http/client';
import { validateEmail, validatePassword } from './validate';

/** Logs users in and out and keeps their session token fresh. */
export class SessionManager {
  private token: string | null = null;

  constructor(private readonly client: HttpClient) {}

  async login(email: string, password: string): Promise<boolean> {
    if (!validateEmail(email) || !validatePassword(password)) {
      return false;
    }
    const result = (await this.client.post('/login', { email, password })) as { token?: string };
    this.token = result.token ?? null;
    return this.token !== null;
  }

  async logout(): Promise<void> {
    if (this.token) {
      await this.client.post('/logout', { token: this.token });
    }
    this.token = null;
  }

  async refresh(): Promise<void> {
    if (!this.token) {
      return;
    }
    const result = (await this.client.post('/refresh', { token: this.token })) as { token?: string };
    this.token = result.token ?? this.token;
  }
}
