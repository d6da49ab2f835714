// The seed-style server of the delivery benchmark (issue 12): the architecture the seeds describe, written
// minimally. Each user has one Socket.IO connection (the user is whoever `auth.user` says: no authentication).
// A `message` is one autocommitted INSERT into PostgreSQL, then one emit to the recipient's sockets. No acks,
// no receipts, no device sets, no redelivery: a message whose recipient is offline is stored and not sent.
//   node server.js --port 5098 --database postgres://postgres@127.0.0.1:5432/seed [--pool 10]
import { createServer } from 'node:http';
import pg from 'pg';
import { Server } from 'socket.io';
import { parseOptions } from './lib/options.js';

const options = parseOptions(process.argv.slice(2), { port: '5098', database: '', pool: '10' });
if (!options.database) {
  throw new Error('--database postgres://user@host:port/name is required');
}
const pool = new pg.Pool({ connectionString: options.database, max: Number(options.pool) });
await pool.query(`CREATE TABLE IF NOT EXISTS seed_messages (
  id bigserial PRIMARY KEY,
  sender text NOT NULL,
  recipient text NOT NULL,
  client_message_id bigint NOT NULL,
  content text NOT NULL,
  stored_at timestamptz NOT NULL DEFAULT now())`);

const http = createServer();
const io = new Server(http, { serveClient: false, maxHttpBufferSize: 1024 * 1024 });
io.on('connection', (socket) => {
  const user = String(socket.handshake.auth.user);
  socket.join(user);
  socket.on('message', async ({ to, clientMessageId, content }) => {
    try {
      const { rows } = await pool.query(
        'INSERT INTO seed_messages (sender, recipient, client_message_id, content) VALUES ($1, $2, $3, $4) RETURNING id',
        [user, to, clientMessageId, content]);
      io.to(String(to)).emit('message', { id: rows[0].id, from: user, clientMessageId, content });
    } catch (error) {
      console.error(`message from ${user} not stored: ${error.message}`);
    }
  });
});
http.listen(Number(options.port), '127.0.0.1', () => console.log(`seed-style server on 127.0.0.1:${options.port}`));
