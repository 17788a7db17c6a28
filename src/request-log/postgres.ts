/**
 * The request log on a PostgreSQL server, through one `pg` client (batches
 * are written one at a time, so one connection is all the writer uses).
 * Every wait is bounded: connecting (connectionTimeoutMillis), each
 * statement on the server (statement_timeout, which also ends a wait on a
 * lock) and on the client (query_timeout, for a server that stops
 * answering). After any error the writer drops the connection and opens a
 * fresh one on its next attempt.
 */
import pg from 'pg';
import type { Opener, SqlConnection } from './connection.ts';
import { RequestLogError } from './errors.ts';
import { ensureTables } from './statements.ts';

export interface PostgresOptions {
  connectTimeoutMs: number;
  writeTimeoutMs: number;
}

/** The database URL without user, password or query (which may hold `password=`): safe for logs. */
function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `PostgreSQL ${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return 'PostgreSQL (unparseable URL)';
  }
}

/** Throws a RequestLogError (without echoing the URL, which may hold a password) unless `url` is a postgres:// URL. */
function checkDatabaseUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RequestLogError('--database-url is not a URL: expected postgres://user:password@host:port/database');
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:')
    throw new RequestLogError(`--database-url must be a postgres:// or postgresql:// URL, not ${u.protocol}//...`);
}

export function postgresOpener(url: string, opts: PostgresOptions): Opener {
  checkDatabaseUrl(url);
  return {
    target: describeDatabaseUrl(url),
    // Connecting, then at most two statements (the table check and the DDL).
    openTimeoutMs: opts.connectTimeoutMs + 2 * opts.writeTimeoutMs,
    async open(): Promise<SqlConnection> {
      const client = new pg.Client({
        connectionString: url,
        connectionTimeoutMillis: opts.connectTimeoutMs,
        statement_timeout: opts.writeTimeoutMs,
        // The server's timeout cancels a statement; this one gives up on a server that no longer answers at all.
        query_timeout: opts.writeTimeoutMs + 1_000,
        idle_in_transaction_session_timeout: opts.writeTimeoutMs,
        keepAlive: true,
        application_name: 'switchyard-request-log',
      });
      // A connection that dies while idle reports here; without a listener the process would crash. The next query fails and the writer reconnects.
      client.on('error', () => undefined);
      const conn: SqlConnection = {
        query: async <Row>(sql: string, params?: readonly unknown[]) => (await client.query(sql, params as unknown[] | undefined)).rows as Row[],
        exec: async (script) => void (await client.query(script)),
        close: async () => {
          // end() says goodbye and waits for the server to close; a server that stopped answering never does.
          const timer = setTimeout(() => client.connection.stream.destroy(), 1_000);
          await client.end().catch(() => undefined);
          clearTimeout(timer);
        },
      };
      try {
        await client.connect();
        await ensureTables(conn);
      } catch (err) {
        await conn.close();
        throw err;
      }
      return conn;
    },
  };
}
