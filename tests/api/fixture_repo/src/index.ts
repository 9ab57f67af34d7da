import { HttpClient } from './http/client';
import { SessionManager } from './auth/session';

/** Start the application: log in and refresh the session once. */
export async function main(url: string, email: string, password: string): Promise<void> {
  const client = new HttpClient(url);
  const session = new SessionManager(client);
  if (await session.login(email, password)) {
    await session.refresh();
  }
}
